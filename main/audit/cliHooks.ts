// What the `keys` CLI gets from accountability, behind two calls: its key changes are recorded with
// the actor "cli", and `keys audit` / `keys usage` are dispatched here.
import { warningLine } from '../cli/messages';
import type { KeyStore } from '../keys/keyStore';
import { runUsageCommand } from '../keys/usageCli';
import { runAuditCommand, type ReportCliIo } from './auditCli';
import { recordMutationsOf } from './auditedKeys';
import { AuditLog } from './auditLog';
import { CLI_ACTOR } from './auditTypes';

export function recordCliChanges(store: KeyStore, dataDir: string, now?: () => number): KeyStore {
  // A failed audit write must not fail the command (the key change already happened); say so instead.
  const log = new AuditLog({ dataDir, now, onError: (err) => process.stderr.write(warningLine(`the audit log could not be written: ${err.message}`)) });
  return recordMutationsOf(store, log, CLI_ACTOR);
}

export function runReportCommand(command: 'audit' | 'usage', args: string[], io: ReportCliIo): number {
  return command === 'audit' ? runAuditCommand(args, io) : runUsageCommand(args, io);
}

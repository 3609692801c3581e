// What the `keys` CLI gets from accountability, behind two calls: its key changes are recorded with
// the actor "cli", and `keys audit` / `keys usage` are dispatched here.
import { warningLine } from './messages';
import type { KeyStore } from '../keys/keyStore';
import { runUsageCommand } from './usageCli';
import { runAuditCommand, type ReportCliIo } from './auditCli';
import { recordMutationsOf } from '../audit/auditedKeys';
import { AuditLog } from '../audit/auditLog';
import { CLI_ACTOR } from '../audit/auditTypes';

export function recordCliChanges(store: KeyStore, dataDir: string, now?: () => number): KeyStore {
  // A failed audit write must not fail the command (the key change already happened); say so instead.
  const log = new AuditLog({ dataDir, now, onError: (err) => process.stderr.write(warningLine(`the audit log could not be written: ${err.message}`)) });
  return recordMutationsOf(store, log, CLI_ACTOR);
}

export function runReportCommand(command: 'audit' | 'usage', args: string[], io: ReportCliIo): number {
  return command === 'audit' ? runAuditCommand(args, io) : runUsageCommand(args, io);
}

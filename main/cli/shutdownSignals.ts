// Resolves when the headless process should stop: on the first SIGINT or SIGTERM. Later ones are
// ignored rather than left to their default (kill), so a terminal's Ctrl-C that reaches both npm
// and us (npm forwards it too) cannot cut the graceful stop short.
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface ShutdownWatch {
  signal: Promise<StopSignal>;
  dispose: () => void;
}

export function watchForShutdown(proc: NodeJS.Process = process): ShutdownWatch {
  let resolve!: (s: StopSignal) => void;
  const signal = new Promise<StopSignal>((r) => (resolve = r));
  const onInt = () => resolve('SIGINT');
  const onTerm = () => resolve('SIGTERM');
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);
  return {
    signal,
    dispose: () => {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
    },
  };
}

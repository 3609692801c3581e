// Bad command-line usage (exit code 2). `topic` names the command whose --help the hint points at
// ('' for the top level, 'keys', 'keys create', …).
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(
    message: string,
    readonly topic: string = '',
  ) {
    super(message);
  }
}

/** Why dist/cli.mjs under `root` must be rebuilt, or null when it is up to date. */
export function cliStaleReason(root: string): string | null;

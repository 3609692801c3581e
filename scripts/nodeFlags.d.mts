/** The `--…` words right after `node` in `root`'s package.json `headless` script; [] when there are none. */
export function shippedNodeFlags(root: string): string[];
/** Electron's command line for the app at `root`: the shipped flags as --js-flags, the app folder, then `extra`. */
export function electronArgs(root: string, extra: readonly string[]): string[];

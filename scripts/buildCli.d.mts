import type { BuildOptions } from 'esbuild';

/** How a Node-side ES module bundle is built (the CLI; the bench's proxy process the same way). */
export const NODE_BUNDLE_OPTIONS: BuildOptions;
/** Builds dist/cli.mjs and its inputs manifest. */
export function buildCli(options?: { sourcemap?: BuildOptions['sourcemap'] }): Promise<{ bundle: string; inputs: number }>;

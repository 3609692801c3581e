// Builds the bench's proxy process the way the product ships: one esbuild bundle (as scripts/buildCli.mjs
// makes dist/cli.mjs and scripts/build.mjs the app's main.cjs), run by plain Node. Running the TypeScript
// through tsx instead would measure tsx's keep-names transform too (an Object.defineProperty on every
// closure a request creates), which no user runs. For `--compare REF`, the same bench code is bundled
// against REF's main/ sources, so both sides are built alike.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../scripts/buildCli.mjs';
import { MOVED_SOURCES } from './movedSources';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const HERE = resolve(BENCH, '..');

/** A bench import's path in `root`: today's, or where the module lived before the move (older REFs). */
function pathIn(root: string, rel: string): string {
  if (existsSync(join(root, `${rel}.ts`))) return rel;
  return MOVED_SOURCES[rel] ?? rel;
}

/** Points the bench's `../main/…` imports at `root`'s sources (a no-op for this checkout). */
function sourcesFrom(root: string): Plugin {
  return {
    name: 'sources-from-root',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/main\// }, (args) => {
        if (!args.importer.startsWith(BENCH) || root === HERE) return undefined;
        return b.resolve(`./${pathIn(root, args.path.slice(3))}`, { kind: args.kind, resolveDir: root });
      });
    },
  };
}

/** Bundles bench/<entry>.ts against `root`'s main/ into `root`/dist/bench/<entry>.mjs; returns that path. */
export async function bundleBenchChild(entry: string, root: string): Promise<string> {
  const outDir = join(root, 'dist', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${entry}.mjs`);
  await build({
    absWorkingDir: root,
    entryPoints: [join(BENCH, `${entry}.ts`)],
    outfile,
    ...NODE_BUNDLE_OPTIONS,
    nodePaths: [join(HERE, 'node_modules')],
    plugins: [sourcesFrom(root)],
    logLevel: 'warning',
  });
  return outfile;
}

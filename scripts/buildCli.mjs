// Builds dist/cli.mjs (the headless CLI as one ES module, dependencies left in node_modules) and
// dist/cli.inputs.json, the list of source files (ours and the bundled packages') it was built from with their size and mtime, which
// bin/comfy-auth-companion.mjs compares to decide cheaply whether the bundle is stale.
import { renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = path.join(root, 'dist', 'cli.mjs');
export const CLI_INPUTS = path.join(root, 'dist', 'cli.inputs.json');

/** Writes each output next to its target and renames it over, so a concurrent reader never sees half a file. */
function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** How a Node-side ES module bundle is built (the CLI here; the bench's proxy process the same way). */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // Dependencies are bundled too: one file loads much faster than zod's and ws's many modules.
  // Native modules (the keyring) and ws's optional native helpers stay outside.
  external: ['@napi-rs/keyring', '@napi-rs/keyring-*', 'bufferutil', 'utf-8-validate'],
  // ws is CommonJS; give its require() calls a real require in the ES module output.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cacCreateRequire } from 'node:module';\nconst require = __cacCreateRequire(import.meta.url);" },
};

export async function buildCli({ sourcemap = 'linked' } = {}) {
  mkdirSync(path.dirname(CLI_BUNDLE), { recursive: true });
  const result = await build({
    ...NODE_BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: [path.join(root, 'main', 'cli', 'cli.ts')],
    outfile: CLI_BUNDLE,
    sourcemap,
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  // Source map first, bundle second, manifest last: a manifest always describes a complete bundle.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const f of files) writeAtomic(f.path, f.contents);
  const inputs = [...Object.keys(result.metafile.inputs), path.relative(root, fileURLToPath(import.meta.url))].map((rel) => {
    const st = statSync(path.join(root, rel));
    return { path: rel, size: st.size, mtimeMs: st.mtimeMs };
  });
  writeAtomic(CLI_INPUTS, `${JSON.stringify({ inputs }, null, 1)}\n`);
  return { bundle: CLI_BUNDLE, inputs: inputs.length };
}

#!/usr/bin/env -S node --initial-old-space-size=64
// The headless CLI's launcher (`npm run headless` and the package's bin). It runs the built bundle
// dist/cli.mjs in this same process — no wrapper child, so a signal sent to this process reaches the
// proxy — and, in a checkout, rebuilds the bundle first when it is missing or a source it was built
// from changed (scripts/cliStale.mjs).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// V8's code cache on disk (Node 22): later starts skip compiling the bundle again.
module.enableCompileCache?.();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');
const scripts = join(root, 'scripts');

if (existsSync(join(root, 'main', 'cli', 'cli.ts')) && existsSync(join(scripts, 'buildCli.mjs'))) {
  const { cliStaleReason } = await import(pathToFileURL(join(scripts, 'cliStale.mjs')).href);
  const reason = cliStaleReason(root);
  if (reason) {
    process.stderr.write(`Building dist/cli.mjs (${reason})…\n`);
    const { buildCli } = await import(pathToFileURL(join(scripts, 'buildCli.mjs')).href);
    await buildCli();
  }
} else if (!existsSync(bundle)) {
  process.stderr.write('comfy-auth-companion: dist/cli.mjs is missing. Run "npm run build" in the project folder first.\n');
  process.exit(1);
}

const { run } = await import(pathToFileURL(bundle).href);
await run(process.argv.slice(2));

// Runs once before the test files: says which Chromium the browser tests will drive (unpacking the
// npm-shipped one here, once, rather than in parallel workers) and brings dist/cli.mjs up to date for
// the tests that start the headless CLI the way users do.
import { join } from 'node:path';
import { findChromium } from '../../scripts/chromium.mjs';
import { cliStaleReason } from '../../scripts/cliStale.mjs';

export default async function setup(): Promise<void> {
  const root = join(import.meta.dirname, '..', '..');
  const found = findChromium();
  if (found.path !== null) {
    console.log(`browser tests: Chromium from ${found.source} (${found.path})`);
  } else {
    console.log(`browser tests: NO CHROMIUM: ${found.why}. They will fail.`);
  }
  if (cliStaleReason(root)) {
    const { buildCli } = (await import(join(root, 'scripts', 'buildCli.mjs'))) as { buildCli: () => Promise<unknown> };
    await buildCli();
  }
}

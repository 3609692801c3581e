#!/usr/bin/env node
// Package bin: runs the headless companion from the bundle `npm run build` writes,
// or straight from the TypeScript sources through tsx in a development checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');
if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(pathToFileURL(join(root, 'main', 'cli.ts')).href, import.meta.url);
}

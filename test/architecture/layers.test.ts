// The house rules of issue 19, kept by a test instead of a picture that drifts: every import of main/,
// preload/ and renderer/ points down the table in layers.json (or stays in its own layer), no file is
// part of an import circle, and docs/architecture.md shows the same table. Run alone:
// `npx vitest run test/architecture`.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCircles, layerTableMarkdown, layerViolations, listSources, tableProblems, type LayerTable } from './importGraph';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const table = JSON.parse(readFileSync(join(ROOT, 'test/architecture/layers.json'), 'utf8')) as LayerTable;
const sources = listSources(ROOT, ['main', 'preload', 'renderer/src']);

describe('the layer table', () => {
  it('lets each layer import only layers below it (no upward edge, no circle in the table itself)', () => {
    expect(tableProblems(table)).toEqual([]);
  });

  it('is the table docs/architecture.md shows', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    expect(doc).toContain(layerTableMarkdown(table));
  });
});

describe('the imports of main/, preload/ and renderer/', () => {
  it('covers a few hundred files (the walk found the tree)', () => {
    expect(sources.length).toBeGreaterThan(200);
  });

  it('every import points down the table or stays in its layer', () => {
    expect(layerViolations(ROOT, table, sources)).toEqual([]);
  });

  it('no file is part of an import circle', () => {
    expect(importCircles(ROOT, sources)).toEqual([]);
  });

  it('the renderer never imports Node built-ins', () => {
    const nodeImports = sources
      .filter((f) => f.startsWith('renderer/'))
      .flatMap((f) => readFileSync(join(ROOT, f), 'utf8').split('\n').map((line, i) => ({ f, line, n: i + 1 })))
      .filter(({ line }) => /from ['"]node:|require\(['"]node:/.test(line))
      .map(({ f, n, line }) => `${f}:${n}: ${line.trim()}`);
    expect(nodeImports).toEqual([]);
  });
});

describe('the checker itself (so the test above can fail)', () => {
  // A tiny tree with the same table: a bottom module importing the composition root, a type-only layer
  // importing code, a file outside every layer, electron outside the shell, and a circle.
  const tree = mkdtempSync(join(tmpdir(), 'cac-layers-'));
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(tree, rel)), { recursive: true });
    writeFileSync(join(tree, rel), text);
  };
  write('main/common/errors.ts', "import { startProxyStack } from '../compose/proxyStack';\nexport const x = startProxyStack;\n");
  write('main/compose/proxyStack.ts', 'export const startProxyStack = () => 1;\n');
  write('main/keys/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
  write('main/keys/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
  write('main/keys/shell.ts', "import { app } from 'electron';\nexport const quit = () => app.quit();\n");
  write('main/stray/file.ts', 'export const stray = 1;\n');
  write('renderer/src/view.ts', "import { INVOKE_CHANNELS } from '../../preload/contract';\nimport type { Res } from '../../preload/contract';\nexport const v: Res | null = INVOKE_CHANNELS;\n");
  write('preload/contract.ts', 'export const INVOKE_CHANNELS = null;\nexport type Res = null;\n');
  const files = listSources(tree, ['main', 'preload', 'renderer/src']);
  const problems = layerViolations(tree, table, files);

  it('names the file, the line and the import of an upward import (a bottom module importing the composition root)', () => {
    expect(problems).toContain("main/common/errors.ts:1 imports '../compose/proxyStack' (main/compose): main/common may import only itself");
  });

  it('refuses code (not types) from another layer where only types are allowed', () => {
    expect(problems).toContain("renderer/src/view.ts:1 imports '../../preload/contract' (preload): renderer may import only types from other layers (use import type)");
    expect(problems.filter((p) => p.startsWith('renderer/src/view.ts:2'))).toEqual([]);
  });

  it('refuses electron outside the shell and files outside every layer', () => {
    expect(problems).toContain("main/keys/shell.ts:1 imports 'electron': only main/app, preload/index.ts may import electron");
    expect(problems).toContain('main/stray/file.ts: belongs to no layer of the table; add its folder to test/architecture/layers.json');
  });

  it('finds an import circle', () => {
    expect(importCircles(tree, files)).toEqual([['main/keys/a.ts', 'main/keys/b.ts']]);
  });

  it('finds an upward edge in the table itself', () => {
    const bad: LayerTable = { ...table, layers: table.layers.map((l) => (l.path === 'main/common' ? { ...l, mayImport: ['main/proxy'] } : l)) };
    expect(tableProblems(bad)).toEqual(['main/common may import main/proxy, which is not below it in the table (upward or circular)']);
  });
});

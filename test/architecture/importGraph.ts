// Reads every import of a source tree with the TypeScript parser (not regexes: comments, strings and
// `import type` are told apart), resolves relative ones to files, and judges them against the layer table.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

export interface Layer {
  /** A folder (or one file) relative to the repository root, in forward-slash form. */
  path: string;
  role: string;
  /** Layers this one may import from (besides itself); each must come earlier in the table. */
  mayImport: string[];
  /** Only `import type` from the layers in mayImport (the renderer and the IPC contract: no runtime code of main). */
  typesOnly?: boolean;
}

export interface LayerTable {
  layers: Layer[];
  /** Files outside every layer that any layer may read (package.json, for the version). */
  outsideFiles?: string[];
  /** npm packages only some layers may import, e.g. electron. */
  restrictedPackages: Record<string, string[]>;
}

export interface ImportEdge {
  from: string;
  /** The specifier as written. */
  spec: string;
  /** The resolved file (relative to root) for relative specifiers, else null. */
  to: string | null;
  typeOnly: boolean;
  line: number;
}

const SOURCE = /\.(ts|tsx)$/;

export function listSources(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const f of folders) walk(f);
  return out.sort();
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function resolveRelative(root: string, from: string, spec: string): string | null {
  const base = normalize(join(dirname(from), spec)).split(sep).join('/');
  const noJs = base.replace(/\.js$/, '');
  for (const c of [base, `${noJs}.ts`, `${noJs}.tsx`, `${base}/index.ts`]) if (isFile(join(root, c))) return c;
  return null;
}

/** Every import, export-from and dynamic import() of one file. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, spec: string, typeOnly: boolean): void => {
    const to = spec.startsWith('.') ? resolveRelative(root, file, spec) : null;
    edges.push({ from: file, spec, to, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : null;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) add(node, arg.text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The layer a file belongs to: the longest layer path that is the file or a folder holding it. */
export function layerOf(table: LayerTable, file: string): Layer | null {
  let best: Layer | null = null;
  for (const l of table.layers) {
    if ((file === l.path || file.startsWith(`${l.path}/`)) && (!best || l.path.length > best.path.length)) best = l;
  }
  return best;
}

/** Problems with the table itself: unknown names, a layer allowed to import a later (higher) one. */
export function tableProblems(table: LayerTable): string[] {
  const problems: string[] = [];
  const index = new Map(table.layers.map((l, i) => [l.path, i]));
  table.layers.forEach((l, i) => {
    for (const m of l.mayImport) {
      const j = index.get(m);
      if (j === undefined) problems.push(`${l.path} may import "${m}", which is not a layer of the table`);
      else if (j >= i) problems.push(`${l.path} may import ${m}, which is not below it in the table (upward or circular)`);
    }
  });
  return problems;
}

/** Every import that breaks the table, as a sentence naming file, line and import. */
export function layerViolations(root: string, table: LayerTable, files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(table, file);
    if (!from) {
      out.push(`${file}: belongs to no layer of the table; add its folder to test/architecture/layers.json`);
      continue;
    }
    for (const e of importsOf(root, file)) {
      const where = `${file}:${e.line} imports '${e.spec}'`;
      if (!e.spec.startsWith('.')) {
        const pkg = e.spec.startsWith('@') ? e.spec.split('/').slice(0, 2).join('/') : e.spec.split('/')[0]!;
        const allowed = table.restrictedPackages[pkg];
        if (allowed && !allowed.some((p) => file === p || file.startsWith(`${p}/`))) {
          out.push(`${where}: only ${allowed.join(', ')} may import ${pkg}`);
        }
        continue;
      }
      if (!e.to) {
        out.push(`${where}: does not resolve to a source file`);
        continue;
      }
      const to = layerOf(table, e.to);
      if (!to && table.outsideFiles?.includes(e.to)) continue;
      if (!to) {
        out.push(`${where} (${e.to}), which belongs to no layer`);
        continue;
      }
      if (to === from) continue;
      if (!from.mayImport.includes(to.path)) {
        out.push(`${where} (${to.path}): ${from.path} may import only ${from.mayImport.join(', ') || 'itself'}`);
      } else if (from.typesOnly && !e.typeOnly) {
        out.push(`${where} (${to.path}): ${from.path} may import only types from other layers (use import type)`);
      }
    }
  }
  return out;
}

/** Import circles between files (strongly connected components of the import graph, type imports included). */
export function importCircles(root: string, files: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const f of files) graph.set(f, importsOf(root, f).flatMap((e) => (e.to && e.to !== f ? [e.to] : [])));
  // Tarjan's algorithm, iterative enough for a few hundred files.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const circles: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) circles.push(comp.sort());
    }
  };
  for (const f of graph.keys()) if (!idx.has(f)) strong(f);
  return circles;
}

/** The table as the markdown docs/architecture.md shows it (the test keeps both equal). */
export function layerTableMarkdown(table: LayerTable): string {
  const rows = table.layers.map((l) => `| \`${l.path}\` | ${l.role} | ${l.mayImport.length ? l.mayImport.map((m) => `\`${m}\``).join(', ') : '—'}${l.typesOnly ? ' (types only)' : ''} |`);
  return ['| layer (bottom first) | what | may import |', '| --- | --- | --- |', ...rows].join('\n');
}

export function relativeTo(root: string, p: string): string {
  return relative(root, p).split(sep).join('/');
}

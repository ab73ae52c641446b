/**
 * The layout rules of src/ (docs/ARCHITECTURE.md, "Modules"), checked on the import graph so they
 * stay true: no import circles, folders reached only through their index.ts, no folder cycle,
 * features never import the HTTP layer, no source file over 350 lines, timers only through Clock.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'wardbell', 'src');
const MAX_LINES = 350;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c)) return c;
  throw new Error(`${relative(SRC, from)}: cannot resolve ${spec}`);
}

/** Every relative import and re-export of a file, type-only ones included (they make circles too). */
function importsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const to = resolveImport(file, n.moduleSpecifier.text);
      if (to) out.push(to);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      const to = resolveImport(file, n.argument.literal.text);
      if (to) out.push(to);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** The top folder of src/ a file is in (`http`, `push`, ...), or `.` for files at the top. */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? (parts[0] as string) : '.';
};

/** The cycles of a directed graph (one representative path per strongly connected component). */
function cycles<T>(nodes: readonly T[], next: (n: T) => readonly T[]): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const found: T[][] = [];
  let i = 0;
  const strong = (v: T): void => {
    index.set(v, i);
    low.set(v, i);
    i++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: T[] = [];
      let w: T;
      do {
        w = stack.pop() as T;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || next(v).includes(v)) found.push(scc);
    }
  };
  for (const n of nodes) if (!index.has(n)) strong(n);
  return found;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(SRC, f);

describe('the layout of src/', () => {
  it('has no import circles between files, type-only ones included', () => {
    expect(cycles(files, (f) => graph.get(f) ?? []).map((c) => c.map(rel).sort())).toEqual([]);
  });

  it('reaches another folder only through its index.ts', () => {
    const bad: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        if (folderOf(from) === folderOf(to) || folderOf(to) === '.') continue;
        if (relative(join(SRC, folderOf(to)), to) !== 'index.ts') bad.push(`${rel(from)} -> ${rel(to)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const folders = [...new Set(files.map(folderOf))].filter((f) => f !== '.');
    const deps = new Map(folders.map((f) => [f, new Set<string>()]));
    for (const [from, tos] of graph) for (const to of tos) if (folderOf(from) !== '.' && folderOf(to) !== '.' && folderOf(from) !== folderOf(to)) deps.get(folderOf(from))?.add(folderOf(to));
    expect(cycles(folders, (f) => [...(deps.get(f) ?? [])]).map((c) => c.sort())).toEqual([]);
  });

  it('keeps the HTTP layer on top: no feature folder imports http', () => {
    const bad = [...graph].flatMap(([from, tos]) => (folderOf(from) !== 'http' && folderOf(from) !== '.' && tos.some((t) => folderOf(t) === 'http') ? [rel(from)] : []));
    expect(bad).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files.map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').trimEnd().split('\n').length })).filter((x) => x.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('runs server timers through the Clock (the client and the service worker run in browsers)', () => {
    const bad = files
      .filter((f) => !['client', 'shared'].includes(folderOf(f)) && !f.endsWith(`${sep}sw.ts`))
      .filter((f) => /(^|[^.\w])setInterval\(/m.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(bad).toEqual([]);
  });

  it('can fail: the circle finder sees a circle when there is one', () => {
    expect(cycles(['a', 'b', 'c'], (n) => ({ a: ['b'], b: ['c'], c: ['a'] })[n] ?? [])).toHaveLength(1);
    expect(cycles(['a', 'b'], (n) => ({ a: ['b'], b: [] as string[] })[n] ?? [])).toEqual([]);
  });
});

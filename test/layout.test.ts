/**
 * The source tree's shape, checked: no import cycle between modules, nor between
 * the folders (or loose files) of any directory; no module over ~350 lines unless
 * its first comment says why; README's *Where things are* lists exactly the folders.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 350;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const modules = walk(SRC).filter((f) => f.endsWith('.ts'));

/** Every relative import or re-export of a module (type-only ones too: they are dependencies as well). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
  }
  return out.filter((p) => p.startsWith(SRC));
}

const graph = new Map(modules.map((m) => [m, importsOf(m)]));

/** Strongly connected components with more than one node (or a self-loop): the cycles. */
function cycles(nodes: Iterable<string>, edges: (n: string) => Iterable<string>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || [...edges(v)].includes(v)) found.push(scc.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return found;
}

describe('source layout', () => {
  it('has no import cycle between modules', () => {
    const rel = (p: string): string => relative(SRC, p);
    const found = cycles(graph.keys(), (m) => graph.get(m) ?? []).map((c) => c.map(rel));
    expect(found).toEqual([]);
  });

  it('has no import cycle between the folders (and loose files) of any directory', () => {
    const dirs = [...new Set(modules.map((m) => dirname(m)))];
    const problems: string[] = [];
    for (const dir of dirs) {
      const inside = modules.filter((m) => m.startsWith(dir + sep));
      /** The folder or loose file of `dir` that holds `m`. */
      const nodeOf = (m: string): string => relative(dir, m).split(sep)[0]!;
      const edges = new Map<string, Set<string>>();
      for (const m of inside) {
        for (const target of graph.get(m) ?? []) {
          if (!target.startsWith(dir + sep)) continue;
          const a = nodeOf(m);
          const b = nodeOf(target);
          if (a === b) continue;
          if (!edges.has(a)) edges.set(a, new Set());
          edges.get(a)!.add(b);
        }
      }
      for (const c of cycles(edges.keys(), (n) => edges.get(n) ?? [])) {
        problems.push(`${relative(SRC, dir) || 'src'}: ${c.join(' ↔ ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`keeps every module under ~${MAX_LINES} lines, or says why in its first comment`, () => {
    const long = modules
      .map((m) => ({ m, text: readFileSync(m, 'utf8') }))
      .filter(({ text }) => text.split('\n').length > MAX_LINES + 10)
      .filter(
        ({ text }) => !/^\/\*\*[\s\S]*?(longer than|over \d+ lines|one piece because)[\s\S]*?\*\//.test(text),
      )
      .map(({ m, text }) => `${relative(SRC, m)} (${text.split('\n').length} lines)`);
    expect(long).toEqual([]);
  });

  it("README's *Where things are* names every folder of src/, test/, bench/, scripts/ and firmware/, and no other", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Where things are');
    expect(start, 'README has a "Where things are" section').toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
    const firstCells = [...section.matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1]!);
    const listed = new Set(
      firstCells.flatMap((cell) => [...cell.matchAll(/`([a-z0-9/_-]+\/)`/g)].map((m) => m[1]!)),
    );
    const folders = new Set<string>();
    for (const top of ['src', 'test', 'bench', 'scripts', 'firmware', 'fixtures']) {
      folders.add(`${top}/`);
      const sub = (dir: string): void => {
        for (const name of readdirSync(join(ROOT, dir))) {
          const path = `${dir}/${name}`;
          if (!lstatSync(join(ROOT, path)).isDirectory() || /^(build|artifacts|results)$/.test(name))
            continue;
          folders.add(`${path}/`);
          sub(path);
        }
      };
      sub(top);
    }
    expect([...listed].sort()).toEqual([...folders].sort());
  });
});

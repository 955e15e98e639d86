/** The public API is exactly README's *Exports* table: no undocumented name, no documented name missing. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');

function documented(): Map<string, string> {
  const start = readme.indexOf('### Exports');
  const table = readme.slice(start, readme.indexOf('\n## ', start));
  return new Map([...table.matchAll(/^\| `(\w+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!]));
}

/** Every name `src/index.ts` exports, with whether it is type-only. */
function exported(): Map<string, boolean> {
  const names = new Map<string, boolean>();
  for (const m of source.matchAll(/export (type )?\{([^}]*)\}/g)) {
    for (const raw of m[2]!.split(',')) {
      const item = raw.trim();
      if (!item) continue;
      const isType = m[1] !== undefined || item.startsWith('type ');
      names.set(
        item
          .replace(/^type /, '')
          .split(' as ')
          .at(-1)!
          .trim(),
        isType,
      );
    }
  }
  return names;
}

describe('public API', () => {
  it('exports exactly the names README documents', () => {
    expect([...exported().keys()].sort()).toEqual([...documented().keys()].sort());
  });

  it('documents types as types and values as values, and every value is really exported', () => {
    const docs = documented();
    for (const [name, isType] of exported()) {
      expect(docs.get(name) === 'type', `${name} is documented as ${docs.get(name)}`).toBe(isType);
    }
    const runtime = [...exported()].filter(([, isType]) => !isType).map(([n]) => n);
    expect(Object.keys(api).sort()).toEqual(runtime.sort());
  });
});

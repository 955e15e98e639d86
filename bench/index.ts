/**
 * Runs every `bench/*.bench.ts` (each default-exports `async function run(): Promise<void>`),
 * or only those whose name contains one of the arguments:
 *
 *   npm run bench                  all of them
 *   npm run bench -- decoders      bench/decoders.bench.ts only
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

interface BenchModule {
  default: () => Promise<void>;
}

async function main(): Promise<number> {
  const all = readdirSync(DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen = filters.length > 0 ? all.filter((f) => filters.some((x) => f.includes(x))) : all;
  if (chosen.length === 0) {
    console.error(
      `no benchmark matches ${filters.join(', ')}; available: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')}`,
    );
    return 2;
  }
  let failed = 0;
  for (const file of chosen) {
    console.log(`\n=== ${file.replace('.bench.ts', '')} ===`);
    const started = performance.now();
    try {
      const mod = (await import(pathToFileURL(join(DIR, file)).href)) as BenchModule;
      if (typeof mod.default !== 'function') throw new TypeError(`${file} has no default export function`);
      await mod.default();
    } catch (err) {
      failed++;
      console.error(`${file} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    console.log(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();

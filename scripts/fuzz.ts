/**
 * `npm run fuzz`: the decoder fuzz targets of `test/protocol/fuzz-cases.ts` (the suite runs a few
 * hundred cases of each) over a million mutated streams per target, spread over one worker
 * thread per core. Prints cases per second per target and every violation with the seed and case
 * that replay it; exits 1 when there was any. Not part of `npm test`.
 *
 *   npm run fuzz                          1 000 000 cases per target, seed 1
 *   npm run fuzz -- openiris camf         only these targets
 *   FUZZ_CASES=20000 npm run fuzz         fewer cases per target
 *   FUZZ_SEED=7 npm run fuzz              another seed
 *   FUZZ_WORKERS=1 npm run fuzz           one worker thread (default: one per core)
 */
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { caseSeed, FUZZ_TARGETS, fuzzTarget } from '../test/protocol/fuzz-cases.js';

/** One slice of cases for a worker. */
interface Job {
  target: string;
  seed: number;
  from: number;
  to: number;
}

/** What a worker sends back for a job. */
interface JobResult {
  cases: number;
  /** Cases with at least one violation (only the first few are sent in full). */
  failed: number;
  violations: string[];
}

const BATCH = 2000;
/** A worker thread does not inherit tsx's loader: it registers it, then loads this module. */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
const KEEP_VIOLATIONS = 20;

function runJob(job: Job): JobResult {
  const target = fuzzTarget(job.target);
  const result: JobResult = { cases: 0, failed: 0, violations: [] };
  for (let i = job.from; i < job.to; i++) {
    const found = target.run(caseSeed(job.seed, i));
    result.cases++;
    if (found.length === 0) continue;
    result.failed++;
    if (result.violations.length < KEEP_VIOLATIONS) {
      for (const v of found) result.violations.push(`${job.target} FUZZ_SEED=${job.seed} case ${i}: ${v}`);
    }
  }
  return result;
}

function wholeNumberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${name} must be a whole number, got "${raw}"`);
  return n;
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Run `cases` cases of one target over the workers; resolves when every slice is back. */
function runTarget(workers: Worker[], target: string, seed: number, cases: number): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const total: JobResult = { cases: 0, failed: 0, violations: [] };
    let next = 0;
    let busy = 0;
    const feed = (w: Worker): void => {
      if (next >= cases) {
        if (busy === 0) resolve(total);
        return;
      }
      const job: Job = { target, seed, from: next, to: Math.min(cases, next + BATCH) };
      next = job.to;
      busy++;
      w.once('message', (r: JobResult) => {
        busy--;
        total.cases += r.cases;
        total.failed += r.failed;
        total.violations.push(...r.violations.slice(0, KEEP_VIOLATIONS - total.violations.length));
        feed(w);
      });
      w.postMessage(job);
    };
    for (const w of workers) {
      w.once('error', reject);
      feed(w);
    }
  });
}

async function main(): Promise<number> {
  const cases = wholeNumberEnv('FUZZ_CASES', 1_000_000);
  const seed = wholeNumberEnv('FUZZ_SEED', 1);
  const threads = wholeNumberEnv('FUZZ_WORKERS', availableParallelism()) || 1;
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const targets = names.length > 0 ? names.map((n) => fuzzTarget(n).name) : FUZZ_TARGETS.map((t) => t.name);
  console.log(
    `fuzz: ${cases} cases per target, seed ${seed}, ${threads} worker thread${threads === 1 ? '' : 's'}, load average ${load()}`,
  );
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_BOOT, { eval: true }));
  const started = performance.now();
  let failed = 0;
  let cpuTotal = 0;
  try {
    for (const target of targets) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await runTarget(workers, target, seed, cases);
      const s = (performance.now() - t0) / 1000;
      // CPU time of all this process's threads: what the cases cost, whatever else runs on the machine.
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1e6;
      failed += r.failed;
      cpuTotal += cpu;
      const rate = Math.round(r.cases / s);
      const each = ((cpu / r.cases) * 1e6).toFixed(0);
      console.log(
        `${target.padEnd(20)} ${String(r.cases).padStart(8)} cases ${s.toFixed(1).padStart(6)} s ${String(rate).padStart(6)} cases/s  CPU ${cpu.toFixed(1)} s (${each} µs a case)  ${r.failed} failed`,
      );
      for (const v of r.violations) console.log(`  ${v}`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const s = (performance.now() - started) / 1000;
  console.log(
    `total: ${targets.length} targets in ${s.toFixed(1)} s, CPU ${cpuTotal.toFixed(1)} s (${(cpuTotal / threads).toFixed(1)} s of each of ${threads} cores), ${failed} case${failed === 1 ? '' : 's'} with violations; load average ${load()}`,
  );
  return failed > 0 ? 1 : 0;
}

if (isMainThread) {
  process.exitCode = await main();
} else {
  parentPort!.on('message', (job: Job) => parentPort!.postMessage(runJob(job)));
}

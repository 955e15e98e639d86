/**
 * One network's part of `bench/staleness.bench.ts`, run as its own process so the benchmark can
 * start it inside a network namespace (`unshare -n`, loopback MTU 1500): for each variant — the
 * gateway's pacing, today's policy (`--pacing off`), and today's policy with every reader
 * stating its rate (`?fps=`) — start the real gateway in a child (`server-child.ts`), let slow
 * readers (`slow-reader.ts`) read a 30 fps stream, and measure the second half of the window.
 * Prints one JSON line (`StalenessReport`) on stdout.
 */
import { loadavg } from 'node:os';
import { BenchServer, benchSeconds, delay, waitFor } from './harness.js';
import { SlowReader } from './slow-reader.js';

export const READER_RATES = [1, 4, 15, 30] as const;
export const SOURCE_FPS = 30;
export const FRAME_BYTES = 12_000;

export type Variant = 'paced' | 'today' | 'today-fps';
export const VARIANTS: readonly Variant[] = ['paced', 'today', 'today-fps'];

export interface ReaderResult {
  rate: number;
  /** Median / 90th percentile age of the frames read in the measured half, seconds. */
  medianAge: number;
  p90Age: number;
  /** Frames read in the measured half. */
  read: number;
  /** Frames it could have read then: its rate × the time, at most the frames produced. */
  could: number;
}

export interface StalenessReport {
  mtu: number;
  seconds: number;
  /** 1-minute load average before each variant. */
  load: Record<Variant, number>;
  results: Record<Variant, ReaderResult[]>;
}

function median(sorted: readonly number[], p = 50): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runVariant(variant: Variant, seconds: number): Promise<ReaderResult[]> {
  const server = await BenchServer.start('ours', {
    fps: SOURCE_FPS,
    frameBytes: FRAME_BYTES,
    pacing: variant === 'paced',
  });
  const readers: SlowReader[] = [];
  try {
    await server.produce();
    for (const rate of READER_RATES) {
      readers.push(
        new SlowReader(server.port, rate, {
          path: variant === 'today-fps' ? `/stream?fps=${rate}` : '/stream',
        }),
      );
    }
    await waitFor(
      () => readers.every((r) => r.parts.length > 0 || r.error),
      10_000,
      'every reader to read a frame',
    );
    await delay((seconds * 1000) / 2);
    const from = performance.now();
    const first = await server.mark();
    await delay((seconds * 1000) / 2);
    const to = performance.now();
    const last = await server.mark();
    const produced = last.seq - first.seq;
    return readers.map((reader) => {
      if (reader.error) throw new Error(`the ${reader.rate} fps reader failed: ${reader.error.message}`);
      const parts = reader.parts.filter((p) => p.at >= from && p.at < to);
      const ages = parts.map((p) => p.age).sort((a, b) => a - b);
      return {
        rate: reader.rate,
        medianAge: median(ages),
        p90Age: median(ages, 90),
        read: parts.length,
        could: Math.min(produced, Math.floor((reader.rate * (to - from)) / 1000)),
      };
    });
  } finally {
    for (const r of readers) r.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const seconds = benchSeconds(60);
  const mtu = Number(process.env.BENCH_MTU ?? 65536);
  const report: StalenessReport = {
    mtu,
    seconds,
    load: { paced: 0, today: 0, 'today-fps': 0 },
    results: { paced: [], today: [], 'today-fps': [] },
  };
  for (const variant of VARIANTS) {
    report.load[variant] = loadavg()[0]!;
    report.results[variant] = await runVariant(variant, seconds);
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1]?.endsWith('staleness-run.ts')) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}

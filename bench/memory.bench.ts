/**
 * Memory: 100 stalled clients (connect, send the request, never read) while
 * frames flow at 30 fps × 12 KB, plus one fast client to prove frames flow.
 * Server RSS growth from just before the stalled clients connect to the end of
 * the window (GC at both ends), and the peak in between, gateway vs npm
 * `mjpeg-server`. BENCH_SECONDS sets the window (default 60: the kernel's
 * socket buffers hide the first ~10 s of a server that queues without limit).
 */
import {
  BenchServer,
  benchSeconds,
  delay,
  machineNote,
  printTable,
  ratio,
  SERVER_LABEL,
  type ServerKind,
  waitFor,
} from './lib/harness.js';
import { MjpegClient } from './lib/mjpeg-client.js';

const STALLED = 100;
const FPS = 30;
const FRAME_BYTES = 12_000;
const MB = 1024 * 1024;

interface MemoryResult {
  growthMb: number;
  peakGrowthMb: number;
  heapGrowthMb: number;
  heapCommittedGrowthMb: number;
  /** RSS change over the second half of the window, per minute: a server that queues for stalled clients keeps climbing. */
  trendMbPerMin: number;
  framesToFastClient: number;
  produced: number;
}

async function measure(kind: ServerKind, seconds: number): Promise<MemoryResult> {
  const server = await BenchServer.start(kind, { fps: FPS, frameBytes: FRAME_BYTES });
  const clients: MjpegClient[] = [];
  try {
    await server.produce();
    const fast = new MjpegClient({ port: server.port });
    clients.push(fast);
    await waitFor(() => fast.frames > 0, 10_000, 'the fast client to get a frame');
    const before = await server.mark({ gc: true, resetPeak: true });
    const fastBefore = fast.frames;
    const windowEnd = performance.now() + seconds * 1000;
    for (let i = 0; i < STALLED; i++) clients.push(new MjpegClient({ port: server.port, stalled: true }));
    // Wait (with a deadline) until the server has every viewer attached.
    let attached = 0;
    const deadline = performance.now() + 30_000;
    while (attached < STALLED + 1 && performance.now() < deadline) {
      attached = (await server.mark()).clients;
      if (attached < STALLED + 1) await delay(50);
    }
    if (attached < STALLED + 1) throw new Error(`only ${attached} of ${STALLED + 1} viewers connected`);
    const halfway = windowEnd - (seconds * 1000) / 2;
    await delay(Math.max(0, halfway - performance.now()));
    const mid = await server.mark({ gc: true });
    const midAt = performance.now();
    await delay(Math.max(0, windowEnd - performance.now()));
    const end = await server.mark({ gc: true });
    const endAt = performance.now();
    return {
      growthMb: (end.rss - before.rss) / MB,
      peakGrowthMb: (end.peakRss - before.rss) / MB,
      heapGrowthMb: (end.memory.heapUsed - before.memory.heapUsed) / MB,
      heapCommittedGrowthMb: (end.memory.heapTotal - before.memory.heapTotal) / MB,
      trendMbPerMin: (end.rss - mid.rss) / MB / ((endAt - midAt) / 60_000),
      framesToFastClient: fast.frames - fastBefore,
      produced: end.seq - before.seq,
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

export default async function run(): Promise<void> {
  const seconds = benchSeconds(60);
  console.log(
    `memory: ${STALLED} stalled clients + 1 fast, ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${seconds} s`,
  );
  console.log(machineNote());
  const ours = await measure('ours', seconds);
  const base = await measure('baseline', seconds);
  const mb = (x: number): string => `${x.toFixed(1)} MB`;
  printTable([
    ['server memory', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline'],
    ['RSS growth (end − before)', mb(ours.growthMb), mb(base.growthMb), ratio(ours.growthMb, base.growthMb)],
    [
      'RSS trend, 2nd half',
      `${ours.trendMbPerMin.toFixed(1)} MB/min`,
      `${base.trendMbPerMin.toFixed(1)} MB/min`,
      ratio(ours.trendMbPerMin, base.trendMbPerMin),
    ],
    [
      'RSS peak growth',
      mb(ours.peakGrowthMb),
      mb(base.peakGrowthMb),
      ratio(ours.peakGrowthMb, base.peakGrowthMb),
    ],
    [
      'JS heap used growth',
      mb(ours.heapGrowthMb),
      mb(base.heapGrowthMb),
      ratio(ours.heapGrowthMb, base.heapGrowthMb),
    ],
    [
      'V8 heap committed growth',
      mb(ours.heapCommittedGrowthMb),
      mb(base.heapCommittedGrowthMb),
      ratio(ours.heapCommittedGrowthMb, base.heapCommittedGrowthMb),
    ],
    [
      'frames to the fast client',
      `${ours.framesToFastClient} / ${ours.produced}`,
      `${base.framesToFastClient} / ${base.produced}`,
      '',
    ],
  ]);
  console.log(`target RSS growth ≤ 30 MB: ${ours.growthMb <= 30 ? 'met' : 'MISSED'} (${mb(ours.growthMb)})`);
}

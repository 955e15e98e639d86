/**
 * Memory: 100 stalled clients (connect, send the request, never read) while
 * frames flow at 30 fps × 12 KB, plus one fast client to prove frames flow.
 * Server RSS growth over the window (after GC at both ends) and its peak,
 * gateway vs npm `mjpeg-server`. BENCH_SECONDS sets the window (default 60).
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
} from './lib/harness.js';
import { MjpegClient } from './lib/mjpeg-client.js';

const STALLED = 100;
const FPS = 30;
const FRAME_BYTES = 12_000;
const MB = 1024 * 1024;

interface MemoryResult {
  growthMb: number;
  peakGrowthMb: number;
  framesToFastClient: number;
  produced: number;
}

async function measure(kind: ServerKind, seconds: number): Promise<MemoryResult> {
  const server = await BenchServer.start(kind, { fps: FPS, frameBytes: FRAME_BYTES });
  const clients: MjpegClient[] = [];
  try {
    await server.produce();
    for (let i = 0; i < STALLED; i++) clients.push(new MjpegClient({ port: server.port, stalled: true }));
    const fast = new MjpegClient({ port: server.port });
    clients.push(fast);
    // Wait (with a deadline) until the server has every viewer attached.
    let clientsSeen = 0;
    const deadline = performance.now() + 30_000;
    while (clientsSeen < STALLED + 1 && performance.now() < deadline) {
      clientsSeen = (await server.mark()).clients;
      if (clientsSeen < STALLED + 1) await delay(50);
    }
    if (clientsSeen < STALLED + 1) throw new Error(`only ${clientsSeen} of ${STALLED + 1} viewers connected`);
    const start = await server.mark(true);
    const fastBefore = fast.frames;
    await delay(seconds * 1000);
    const end = await server.mark(true);
    return {
      growthMb: (end.rss - start.rss) / MB,
      peakGrowthMb: (end.peakRss - start.rss) / MB,
      framesToFastClient: fast.frames - fastBefore,
      produced: end.seq - start.seq,
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
    ['server RSS', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline'],
    ['growth (end − start)', mb(ours.growthMb), mb(base.growthMb), ratio(ours.growthMb, base.growthMb)],
    [
      'peak growth',
      mb(ours.peakGrowthMb),
      mb(base.peakGrowthMb),
      ratio(ours.peakGrowthMb, base.peakGrowthMb),
    ],
    [
      'frames to the fast client',
      `${ours.framesToFastClient} / ${ours.produced}`,
      `${base.framesToFastClient} / ${base.produced}`,
      '',
    ],
  ]);
  console.log(
    `target RSS growth ≤ 30 MB: ${ours.peakGrowthMb <= 30 ? 'met' : 'MISSED'} (peak ${mb(ours.peakGrowthMb)})`,
  );
}

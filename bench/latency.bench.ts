/**
 * Latency: 50 clients at 30 fps × 12 KB; for every frame each client gets,
 * the time from the frame being added on the server (hrtime stamped inside
 * the JPEG) to its last byte being read by the client. Gateway vs npm
 * `mjpeg-server` fed the same frames. BENCH_SECONDS sets the window (default 10).
 */
import { runFastClients } from './lib/fast-clients.js';
import { benchSeconds, machineNote, percentile, printTable, ratio, SERVER_LABEL } from './lib/harness.js';

const CLIENTS = 50;
const FPS = 30;
const FRAME_BYTES = 12_000;

export default async function run(): Promise<void> {
  const seconds = benchSeconds(10);
  console.log(
    `latency: ${CLIENTS} clients × ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${seconds} s window`,
  );
  console.log(machineNote());
  const ours = await runFastClients({
    kind: 'ours',
    clients: CLIENTS,
    fps: FPS,
    frameBytes: FRAME_BYTES,
    seconds,
  });
  const base = await runFastClients({
    kind: 'baseline',
    clients: CLIENTS,
    fps: FPS,
    frameBytes: FRAME_BYTES,
    seconds,
  });
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  const row = (name: string, p: number): string[] => {
    const a = percentile(ours.latenciesMs, p);
    const b = percentile(base.latenciesMs, p);
    return [name, ms(a), ms(b), ratio(a, b)];
  };
  printTable([
    ['added → last byte read', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline'],
    ['samples', String(ours.latenciesMs.length), String(base.latenciesMs.length), ''],
    row('p50', 50),
    row('p90', 90),
    row('p99', 99),
    row('max', 100),
    [
      'delivered',
      `${(ours.deliveredShare * 100).toFixed(2)} %`,
      `${(base.deliveredShare * 100).toFixed(2)} %`,
      '',
    ],
  ]);
  const p50 = percentile(ours.latenciesMs, 50);
  const p99 = percentile(ours.latenciesMs, 99);
  console.log(
    `targets p50 ≤ 1 ms: ${p50 <= 1 ? 'met' : 'MISSED'} (${ms(p50)}); p99 ≤ 5 ms: ${p99 <= 5 ? 'met' : 'MISSED'} (${ms(p99)})`,
  );
}

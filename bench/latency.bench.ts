/**
 * Latency: 50 clients at 30 fps × 12 KB; for every frame each client gets,
 * the time from the frame being added on the server (hrtime stamped inside
 * the JPEG) to its last byte being read by the client. Gateway vs npm
 * `mjpeg-server` fed the same frames. A one-client run of each gives the floor
 * (loopback + scheduling) that the 50-client figures add their fan-out to.
 * BENCH_SECONDS sets the 50-client window (default 10; the one-client run takes half).
 */
import { type FastRunResult, runFastClients } from './lib/fast-clients.js';
import {
  benchSeconds,
  machineNote,
  percentile,
  printTable,
  ratio,
  SERVER_LABEL,
  type ServerKind,
} from './lib/harness.js';

const CLIENTS = 50;
const FPS = 30;
const FRAME_BYTES = 12_000;

function measure(kind: ServerKind, clients: number, seconds: number): Promise<FastRunResult> {
  return runFastClients({ kind, clients, fps: FPS, frameBytes: FRAME_BYTES, seconds });
}

export default async function run(): Promise<void> {
  const seconds = benchSeconds(10);
  console.log(
    `latency: ${CLIENTS} clients × ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${seconds} s window`,
  );
  console.log(machineNote());
  const ours = await measure('ours', CLIENTS, seconds);
  const base = await measure('baseline', CLIENTS, seconds);
  const ours1 = await measure('ours', 1, seconds / 2);
  const base1 = await measure('baseline', 1, seconds / 2);
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  const row = (name: string, a: FastRunResult, b: FastRunResult, p: number): string[] => {
    const x = percentile(a.latenciesMs, p);
    const y = percentile(b.latenciesMs, p);
    return [name, ms(x), ms(y), ratio(x, y)];
  };
  printTable([
    ['added → last byte read', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline'],
    [`${CLIENTS} clients: samples`, String(ours.latenciesMs.length), String(base.latenciesMs.length), ''],
    row('  p50', ours, base, 50),
    row('  p90', ours, base, 90),
    row('  p99', ours, base, 99),
    row('  max', ours, base, 100),
    [
      '  delivered',
      `${(ours.deliveredShare * 100).toFixed(2)} %`,
      `${(base.deliveredShare * 100).toFixed(2)} %`,
      '',
    ],
    ['1 client: samples', String(ours1.latenciesMs.length), String(base1.latenciesMs.length), ''],
    row('  p50', ours1, base1, 50),
    row('  p99', ours1, base1, 99),
  ]);
  const p50 = percentile(ours.latenciesMs, 50);
  const p99 = percentile(ours.latenciesMs, 99);
  console.log(
    `targets (${CLIENTS} clients) p50 ≤ 1 ms: ${p50 <= 1 ? 'met' : 'MISSED'} (${ms(p50)}); p99 ≤ 5 ms: ${p99 <= 5 ? 'met' : 'MISSED'} (${ms(p99)})`,
  );
}

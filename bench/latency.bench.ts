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
  const floor = await measure('floor', CLIENTS, seconds);
  const ours1 = await measure('ours', 1, seconds / 2);
  const base1 = await measure('baseline', 1, seconds / 2);
  const floor1 = await measure('floor', 1, seconds / 2);
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  type Pick = (r: FastRunResult) => number[];
  const latency: Pick = (r) => r.latenciesMs;
  const fanout: Pick = (r) => r.fanoutMs;
  const row = (name: string, runs: FastRunResult[], pick: Pick, p: number): string[] => {
    const [x, y, z] = runs.map((r) => percentile(pick(r), p)) as [number, number, number];
    return [name, ms(x), ms(y), ratio(x, y), ms(z), ratio(x, z)];
  };
  const many = [ours, base, floor];
  const one = [ours1, base1, floor1];
  const samples = (name: string, runs: FastRunResult[]): string[] => {
    const [x, y, z] = runs.map((r) => String(r.latenciesMs.length)) as [string, string, string];
    return [name, x, y, '', z, ''];
  };
  printTable([
    [
      'added → last byte read',
      SERVER_LABEL.ours,
      SERVER_LABEL.baseline,
      'ours / baseline',
      SERVER_LABEL.floor,
      'ours / floor',
    ],
    samples(`${CLIENTS} clients: samples`, many),
    row('  p50', many, latency, 50),
    row('  p90', many, latency, 90),
    row('  p99', many, latency, 99),
    row('  max', many, latency, 100),
    ['  delivered', ...many.map((r) => `${(r.deliveredShare * 100).toFixed(2)} %`)].flatMap((cell, i) =>
      i === 2 || i === 3 ? [cell, ''] : [cell],
    ),
    row('  server fan-out p50', many, fanout, 50),
    row('  server fan-out p99', many, fanout, 99),
    samples('1 client: samples', one),
    row('  p50', one, latency, 50),
    row('  p99', one, latency, 99),
    row('  server fan-out p50', one, fanout, 50),
  ]);
  console.log(
    'server fan-out: frame handed to the server → every client write issued (in the server process); the rest is the kernel and the client process reading the sockets.',
  );
  console.log(
    `${SERVER_LABEL.floor}: the same bytes from a bare net server (no HTTP, no per-client logic), read by the same client code: what this machine allows.`,
  );
  const p50 = percentile(ours.latenciesMs, 50);
  const p99 = percentile(ours.latenciesMs, 99);
  console.log(
    `targets (${CLIENTS} clients) p50 ≤ 1 ms: ${p50 <= 1 ? 'met' : 'MISSED'} (${ms(p50)}); p99 ≤ 5 ms: ${p99 <= 5 ? 'met' : 'MISSED'} (${ms(p99)})`,
  );
}

/**
 * Fan-out: 200 fast clients × 30 fps × 12 KB frames on loopback, for the
 * gateway and for the npm `mjpeg-server` package fed the same frames. Reports
 * the share of produced frames each client received and the server's CPU
 * seconds per delivered GB (server in its own process, clients here).
 * BENCH_SECONDS sets the measured window (default 10).
 */
import { runFastClients } from './lib/fast-clients.js';
import { benchSeconds, machineNote, printTable, ratio, SERVER_LABEL } from './lib/harness.js';

const CLIENTS = 200;
const FPS = 30;
const FRAME_BYTES = 12_000;

export default async function run(): Promise<void> {
  const seconds = benchSeconds(10);
  console.log(
    `fan-out: ${CLIENTS} clients × ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${seconds} s window`,
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
  const perGb = (r: typeof ours): number => r.serverCpuSeconds / (r.deliveredBytes / 1e9);
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  printTable([
    ['', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline'],
    ['frames produced', String(ours.produced), String(base.produced), ''],
    [
      'delivered to fast clients',
      pct(ours.deliveredShare),
      pct(base.deliveredShare),
      ratio(ours.deliveredShare, base.deliveredShare),
    ],
    [
      'delivered GB',
      (ours.deliveredBytes / 1e9).toFixed(3),
      (base.deliveredBytes / 1e9).toFixed(3),
      ratio(ours.deliveredBytes, base.deliveredBytes),
    ],
    [
      'server CPU s',
      ours.serverCpuSeconds.toFixed(2),
      base.serverCpuSeconds.toFixed(2),
      ratio(ours.serverCpuSeconds, base.serverCpuSeconds),
    ],
    [
      'server CPU s / delivered GB',
      perGb(ours).toFixed(2),
      perGb(base).toFixed(2),
      ratio(perGb(ours), perGb(base)),
    ],
    ['clients failed', String(ours.failedClients), String(base.failedClients), ''],
  ]);
  const ok = ours.deliveredShare >= 0.99;
  console.log(`target ≥ 99 % delivered: ${ok ? 'met' : 'MISSED'} (${pct(ours.deliveredShare)})`);
}

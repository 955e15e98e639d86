/**
 * Fan-out: 200 fast clients × 30 fps × 12 KB frames on loopback, for the
 * gateway and for the npm `mjpeg-server` package fed the same frames. Reports
 * the share of produced frames each client received and the server's CPU
 * seconds per delivered GB (server in its own process, clients here), next
 * to a bare `net` server writing the same bytes (the floor: loopback and kernel).
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
  const floor = await runFastClients({
    kind: 'floor',
    clients: CLIENTS,
    fps: FPS,
    frameBytes: FRAME_BYTES,
    seconds,
  });
  const perGb = (r: typeof ours): number => r.serverCpuSeconds / (r.deliveredBytes / 1e9);
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  const row = (name: string, f: (r: typeof ours) => number, show: (x: number) => string): string[] => [
    name,
    show(f(ours)),
    show(f(base)),
    ratio(f(ours), f(base)),
    show(f(floor)),
    ratio(f(ours), f(floor)),
  ];
  printTable([
    ['', SERVER_LABEL.ours, SERVER_LABEL.baseline, 'ours / baseline', SERVER_LABEL.floor, 'ours / floor'],
    ['frames produced', String(ours.produced), String(base.produced), '', String(floor.produced), ''],
    row('delivered to fast clients', (r) => r.deliveredShare, pct),
    row(
      'delivered GB',
      (r) => r.deliveredBytes / 1e9,
      (x) => x.toFixed(3),
    ),
    row(
      'server CPU s',
      (r) => r.serverCpuSeconds,
      (x) => x.toFixed(2),
    ),
    row('server CPU s / delivered GB', perGb, (x) => x.toFixed(2)),
    [
      'clients failed',
      String(ours.failedClients),
      String(base.failedClients),
      '',
      String(floor.failedClients),
      '',
    ],
  ]);
  console.log(
    `${SERVER_LABEL.floor}: the same bytes from a bare net server (no HTTP, no per-client logic): the kernel's share of the CPU.`,
  );
  if (ours.pacing) {
    const show = (m: Record<string, number>): string =>
      Object.entries(m)
        .map(([mode, n]) => `${n} ${mode}`)
        .join(', ') || 'none';
    console.log(
      `${SERVER_LABEL.ours} clients by pacing: window start ${show(ours.pacing.start)}; end ${show(ours.pacing.end)}`,
    );
  }
  const ok = ours.deliveredShare >= 0.99;
  console.log(`target ≥ 99 % delivered: ${ok ? 'met' : 'MISSED'} (${pct(ours.deliveredShare)})`);
}

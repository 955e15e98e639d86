/**
 * Latency: 50 clients at 30 fps × 12 KB; for every frame each client gets,
 * the time from the frame being added on the server (CLOCK_MONOTONIC stamped
 * inside the JPEG) to its last byte being read by the client. Gateway vs npm
 * `mjpeg-server` fed the same frames, and a bare-`net` floor server; with 50
 * clients and with one.
 *
 * Two client processes read the streams: the C client (`bench/c/`, one epoll
 * thread, a few µs of CPU per part; built with gcc on the fly) and the Node
 * client (`MjpegClient`, ~50 µs per part: with 50 clients it competes with
 * the server for the 2 cores and inflates what is measured). The C rows are
 * the server's figures; the Node rows show what a Node reader adds.
 *
 * Each configuration runs BENCH_RUNS times (default 3), interleaved, and the
 * table shows the median over runs of each figure. BENCH_SECONDS sets each
 * 50-client window (default 5; one-client windows take 0.6 of it).
 */
import { buildCClient } from './lib/c-client.js';
import { type FastRunResult, runFastClients } from './lib/fast-clients.js';
import {
  benchSeconds,
  machineNote,
  median,
  percentile,
  printTable,
  ratio,
  SERVER_LABEL,
  type ServerKind,
} from './lib/harness.js';

const CLIENTS = 50;
const FPS = 30;
const FRAME_BYTES = 12_000;
const TARGET_P50_MS = 1;
const TARGET_P99_MS = 5;
const SERVERS: readonly ServerKind[] = ['ours', 'baseline', 'floor'];
const COUNTS = [CLIENTS, 1] as const;

type ClientKind = 'c' | 'node';
const CLIENT_LABEL: Record<ClientKind, string> = { c: 'C client', node: 'Node client' };

interface Stats {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  delivered: number;
  fanoutP50: number;
  fanoutP99: number;
  cpuPerPartUs: number;
  failed: number;
}

function stats(r: FastRunResult): Stats {
  return {
    samples: r.latenciesMs.length,
    p50: percentile(r.latenciesMs, 50),
    p90: percentile(r.latenciesMs, 90),
    p99: percentile(r.latenciesMs, 99),
    max: percentile(r.latenciesMs, 100),
    delivered: r.deliveredShare,
    fanoutP50: percentile(r.fanoutMs, 50),
    fanoutP99: percentile(r.fanoutMs, 99),
    cpuPerPartUs: r.clientCpuPerPartUs,
    failed: r.failedClients,
  };
}

function benchRuns(): number {
  const raw = process.env.BENCH_RUNS;
  if (raw === undefined || raw === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`BENCH_RUNS must be an integer ≥ 1, got "${raw}"`);
  return n;
}

const key = (client: ClientKind, kind: ServerKind, clients: number): string => `${client}/${kind}/${clients}`;

export default async function run(): Promise<void> {
  const seconds = benchSeconds(5);
  const runs = benchRuns();
  const build = await buildCClient();
  const clientKinds: ClientKind[] = build.ok ? ['c', 'node'] : ['node'];
  console.log(
    `latency: ${CLIENTS} and 1 clients × ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${seconds} s / ${(seconds * 0.6).toFixed(1)} s windows, median of ${runs} runs`,
  );
  if (!build.ok)
    console.log(
      `C client unavailable (${build.reason}): Node client only, its figures include its own CPU cost.`,
    );
  console.log(`before: ${machineNote()}`);

  const all = new Map<string, Stats[]>();
  for (let i = 0; i < runs; i++) {
    for (const clients of COUNTS) {
      for (const client of clientKinds) {
        for (const kind of SERVERS) {
          const r = await runFastClients({
            kind,
            clients,
            fps: FPS,
            frameBytes: FRAME_BYTES,
            seconds: clients === 1 ? seconds * 0.6 : seconds,
            ...(client === 'c' && build.ok ? { cClientBinary: build.binary } : {}),
          });
          const k = key(client, kind, clients);
          all.set(k, [...(all.get(k) ?? []), stats(r)]);
        }
      }
    }
  }
  console.log(`after:  ${machineNote()}`);

  const med = (client: ClientKind, kind: ServerKind, clients: number, pick: (s: Stats) => number): number =>
    median((all.get(key(client, kind, clients)) ?? []).map(pick));
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  const row = (name: string, client: ClientKind, clients: number, pick: (s: Stats) => number): string[] => {
    const [x, y, z] = SERVERS.map((kind) => med(client, kind, clients, pick)) as [number, number, number];
    return [name, ms(x), ms(y), ratio(x, y), ms(z), ratio(x, z)];
  };
  const plain = (
    name: string,
    client: ClientKind,
    clients: number,
    cell: (s: Stats[]) => string,
  ): string[] => {
    const [x, y, z] = SERVERS.map((kind) => cell(all.get(key(client, kind, clients)) ?? []));
    return [name, x!, y!, '', z!, ''];
  };
  const rows: string[][] = [
    [
      `added → last byte read (median of ${runs})`,
      SERVER_LABEL.ours,
      SERVER_LABEL.baseline,
      'ours / baseline',
      SERVER_LABEL.floor,
      'ours / floor',
    ],
  ];
  for (const client of clientKinds) {
    for (const clients of COUNTS) {
      const label = `${CLIENT_LABEL[client]}, ${clients} client${clients === 1 ? '' : 's'}`;
      rows.push(
        plain(`${label}: samples/run`, client, clients, (s) => String(median(s.map((x) => x.samples)))),
      );
      rows.push(row('  p50', client, clients, (s) => s.p50));
      if (clients > 1) rows.push(row('  p90', client, clients, (s) => s.p90));
      rows.push(row('  p99', client, clients, (s) => s.p99));
      rows.push(row('  max', client, clients, (s) => s.max));
      if (clients > 1) {
        rows.push(
          plain(
            '  delivered',
            client,
            clients,
            (s) => `${(median(s.map((x) => x.delivered)) * 100).toFixed(2)} %`,
          ),
        );
        rows.push(
          plain(
            '  client CPU per part',
            client,
            clients,
            (s) => `${median(s.map((x) => x.cpuPerPartUs)).toFixed(1)} µs`,
          ),
        );
        rows.push(
          plain('  failed clients (max)', client, clients, (s) =>
            String(Math.max(...s.map((x) => x.failed))),
          ),
        );
      }
    }
  }
  const fanClient = clientKinds[0]!;
  rows.push(
    row(
      `server fan-out p50 (${CLIENTS}, ${CLIENT_LABEL[fanClient]})`,
      fanClient,
      CLIENTS,
      (s) => s.fanoutP50,
    ),
  );
  rows.push(
    row(
      `server fan-out p99 (${CLIENTS}, ${CLIENT_LABEL[fanClient]})`,
      fanClient,
      CLIENTS,
      (s) => s.fanoutP99,
    ),
  );
  printTable(rows);
  console.log(
    'server fan-out: frame handed to the server → every client write issued (in the server process); the rest is the kernel and the client process reading the sockets.',
  );
  console.log(
    `${SERVER_LABEL.floor}: the same bytes from a bare net server (no HTTP, no per-client logic), read by the same client: what this machine allows.`,
  );
  const verdict = (x: number, target: number): string => `${x <= target ? 'met' : 'MISSED'} (${ms(x)})`;
  for (const client of clientKinds) {
    const p50 = med(client, 'ours', CLIENTS, (s) => s.p50);
    const p99 = med(client, 'ours', CLIENTS, (s) => s.p99);
    const f50 = med(client, 'floor', CLIENTS, (s) => s.p50);
    const f99 = med(client, 'floor', CLIENTS, (s) => s.p99);
    console.log(
      `targets (${CLIENTS} clients, ${CLIENT_LABEL[client]}) p50 ≤ ${TARGET_P50_MS} ms: ${verdict(p50, TARGET_P50_MS)}; p99 ≤ ${TARGET_P99_MS} ms: ${verdict(p99, TARGET_P99_MS)}; floor itself: p50 ${verdict(f50, TARGET_P50_MS)}, p99 ${verdict(f99, TARGET_P99_MS)}`,
    );
  }
}

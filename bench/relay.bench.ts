/**
 * Relay: what a hop through the bus costs. The origin is the real gateway (`createGateway`, a
 * byte source feeding its camera) publishing every frame on a `nats-server` started here (one
 * node, JetStream on, loopback); the relay is `createRelay` (what `cam-gateway --from` runs) in
 * its own process. Frames are 12 KB stamped JPEGs at 30 fps; a client reads either the origin
 * directly or the relay, and the stamp gives frame added on the origin → last byte read.
 *
 * - latency: 1 and 50 clients, direct vs through the relay, BENCH_RUNS (default 3) interleaved
 *   runs of BENCH_SECONDS (default 5) each; the relay's added p50 is the median over runs of
 *   (relay p50 − direct p50). Target: ≤ 5 ms.
 * - fan-out: 200 clients on one relay for BENCH_SECONDS × 2: share of the origin's frames each
 *   client received. Target: ≥ 99 %.
 *
 * Read by the C epoll client when gcc can build it (its CPU per part is small), else the Node one.
 * Needs `nats-server` on PATH (Debian package nats-server).
 */
import { startNats } from '../test/helpers/brokers.js';
import { hasTool } from '../test/helpers/tools.js';
import { buildCClient } from './lib/c-client.js';
import { type FastRunResult, runFastClients } from './lib/fast-clients.js';
import { benchSeconds, machineNote, median, percentile, printTable } from './lib/harness.js';
import { RelayProcess } from './lib/relay-process.js';

const FPS = 30;
const FRAME_BYTES = 12_000;
const FANOUT_CLIENTS = 200;
const LATENCY_CLIENTS = [1, 50] as const;
const TARGET_ADDED_P50_MS = 5;
const TARGET_DELIVERED = 0.99;

export default async function run(): Promise<void> {
  if (!hasTool('nats-server')) {
    console.log('relay: skipped, nats-server is not on PATH (apt-get install nats-server)');
    return;
  }
  const seconds = benchSeconds(5);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const build = await buildCClient();
  const binary = build.ok ? { cClientBinary: build.binary } : {};
  console.log(
    `relay: ${FPS} fps × ${FRAME_BYTES / 1000} KB frames; origin → nats-server → relay → client vs origin → client; ` +
      `${build.ok ? 'C' : 'Node'} client`,
  );
  console.log(`before: ${machineNote()}`);
  const nats = await startNats(1);
  process.env.BENCH_PUBLISH = nats.url();
  const via = () => RelayProcess.start(nats.url());
  try {
    const p50 = new Map<string, number[]>();
    const p99 = new Map<string, number[]>();
    const note = (key: string, r: FastRunResult): void => {
      p50.set(key, [...(p50.get(key) ?? []), percentile(r.latenciesMs, 50)]);
      p99.set(key, [...(p99.get(key) ?? []), percentile(r.latenciesMs, 99)]);
    };
    const added = new Map<number, number[]>();
    for (let i = 0; i < runs; i++) {
      for (const clients of LATENCY_CLIENTS) {
        const common = {
          kind: 'ours' as const,
          clients,
          fps: FPS,
          frameBytes: FRAME_BYTES,
          seconds,
          ...binary,
        };
        const direct = await runFastClients(common);
        const relayed = await runFastClients({ ...common, via });
        note(`direct ${clients}`, direct);
        note(`relay ${clients}`, relayed);
        added.set(clients, [
          ...(added.get(clients) ?? []),
          percentile(relayed.latenciesMs, 50) - percentile(direct.latenciesMs, 50),
        ]);
      }
    }
    const ms = (x: number): string => `${x.toFixed(2)} ms`;
    printTable([
      [
        `frame added on the origin → last byte read (median of ${runs})`,
        'direct',
        'through the relay',
        'added',
      ],
      ...LATENCY_CLIENTS.flatMap((c) => [
        [
          `${c} client(s): p50`,
          ms(median(p50.get(`direct ${c}`)!)),
          ms(median(p50.get(`relay ${c}`)!)),
          ms(median(added.get(c)!)),
        ],
        [
          `${c} client(s): p99`,
          ms(median(p99.get(`direct ${c}`)!)),
          ms(median(p99.get(`relay ${c}`)!)),
          ms(median(p99.get(`relay ${c}`)!) - median(p99.get(`direct ${c}`)!)),
        ],
      ]),
    ]);

    const fanSeconds = seconds * 2;
    const fan = await runFastClients({
      kind: 'ours',
      clients: FANOUT_CLIENTS,
      fps: FPS,
      frameBytes: FRAME_BYTES,
      seconds: fanSeconds,
      via,
      ...binary,
    });
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    printTable([
      [`${FANOUT_CLIENTS} clients on one relay, ${fanSeconds} s`, 'value'],
      ['frames produced on the origin', String(fan.produced)],
      ['delivered to the relay’s clients', pct(fan.deliveredShare)],
      [
        'latency p50 / p99',
        `${ms(percentile(fan.latenciesMs, 50))} / ${ms(percentile(fan.latenciesMs, 99))}`,
      ],
      ['clients failed', String(fan.failedClients)],
    ]);
    console.log(`after:  ${machineNote()}`);
    const worst = Math.max(...LATENCY_CLIENTS.map((c) => median(added.get(c)!)));
    console.log(
      `target: relay adds ≤ ${TARGET_ADDED_P50_MS} ms to p50: ${worst <= TARGET_ADDED_P50_MS ? 'met' : 'MISSED'} (${ms(worst)} at worst); ` +
        `≥ 99 % delivered to ${FANOUT_CLIENTS} relay clients: ${fan.deliveredShare >= TARGET_DELIVERED ? 'met' : 'MISSED'} (${pct(fan.deliveredShare)})`,
    );
  } finally {
    delete process.env.BENCH_PUBLISH;
    await nats.close();
  }
}

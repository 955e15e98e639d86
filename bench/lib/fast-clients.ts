/**
 * One measured run with fast clients (reading as fast as they can): start the
 * server in a child, connect the clients, wait until every one has a picture,
 * then measure a window of produced frames: how many each client got, how
 * late, and what the server spent in CPU.
 */
import { BenchServer, cpuSeconds, delay, type ServerKind, waitFor } from './harness.js';
import { MjpegClient } from './mjpeg-client.js';

export interface FastRunOptions {
  kind: ServerKind;
  clients: number;
  fps: number;
  frameBytes: number;
  seconds: number;
}

export interface FastRunResult {
  kind: ServerKind;
  clients: number;
  /** Frames produced inside the measured window. */
  produced: number;
  /** Window frames received, summed over clients (each frame counted once per client). */
  delivered: number;
  /** delivered / (produced × clients). */
  deliveredShare: number;
  /** JPEG bytes of the window frames received, summed over clients. */
  deliveredBytes: number;
  /** Server process CPU (user + system) during the window. */
  serverCpuSeconds: number;
  /** Frame added → last byte read, in ms, ascending. */
  latenciesMs: number[];
  /** Server-side fan-out time per window frame (handed to the server → every client's write issued), ms, ascending. */
  fanoutMs: number[];
  /** Clients that saw an error or lost their connection. */
  failedClients: number;
}

interface Tally {
  lastSeq: number;
  /** Every new frame this client got after the window opened: sequence number, size, latency. */
  got: { seq: number; bytes: number; latencyMs: number }[];
}

export async function runFastClients(options: FastRunOptions): Promise<FastRunResult> {
  const server = await BenchServer.start(options.kind, options);
  const clients: MjpegClient[] = [];
  try {
    await server.produce();
    let from = Number.POSITIVE_INFINITY;
    const tallies: Tally[] = [];
    for (let i = 0; i < options.clients; i++) {
      const tally: Tally = { lastSeq: -1, got: [] };
      tallies.push(tally);
      clients.push(
        new MjpegClient({
          port: server.port,
          onFrame: ({ stamp, bytes, receivedNs }) => {
            if (!stamp) return;
            const seq = stamp.seq;
            if (seq <= tally.lastSeq) return; // a re-sent frame is not a new delivery
            tally.lastSeq = seq;
            if (seq >= from)
              tally.got.push({ seq, bytes, latencyMs: Number(receivedNs - stamp.sentNs) / 1e6 });
          },
        }),
      );
    }
    await waitFor(
      () => clients.every((c) => c.frames > 0 || c.error !== undefined),
      30_000,
      `all ${options.clients} clients to receive a first frame`,
    );
    const start = await server.mark();
    from = start.seq;
    await delay(options.seconds * 1000);
    const end = await server.mark();
    const to = end.seq;
    // Let frames already on their way arrive (bounded: a client that fell behind just counts less).
    await waitFor(
      () => tallies.every((t, i) => t.lastSeq >= to - 1 || clients[i]!.closed),
      2000,
      'clients to catch up',
    ).catch(() => undefined);
    const produced = to - from;
    // Only frames produced inside the window [from, to) count.
    const inWindow = tallies.flatMap((t) => t.got.filter((g) => g.seq < to));
    const delivered = inWindow.length;
    return {
      kind: options.kind,
      clients: options.clients,
      produced,
      delivered,
      deliveredShare: delivered / (produced * options.clients),
      deliveredBytes: inWindow.reduce((n, g) => n + g.bytes, 0),
      serverCpuSeconds: cpuSeconds(start.cpu, end.cpu),
      latenciesMs: inWindow.map((g) => g.latencyMs).sort((a, b) => a - b),
      fanoutMs: [...end.fanoutMs].sort((a, b) => a - b),
      failedClients: clients.filter((c) => c.error !== undefined || c.closed).length,
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

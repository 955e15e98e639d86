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
  /** Clients that saw an error or lost their connection. */
  failedClients: number;
}

interface Tally {
  lastSeq: number;
  delivered: number;
  bytes: number;
}

export async function runFastClients(options: FastRunOptions): Promise<FastRunResult> {
  const server = await BenchServer.start(options.kind, options);
  const clients: MjpegClient[] = [];
  try {
    await server.produce();
    let from = Number.POSITIVE_INFINITY;
    let to = Number.POSITIVE_INFINITY;
    const latenciesMs: number[] = [];
    const tallies: Tally[] = [];
    for (let i = 0; i < options.clients; i++) {
      const tally: Tally = { lastSeq: -1, delivered: 0, bytes: 0 };
      tallies.push(tally);
      clients.push(
        new MjpegClient({
          port: server.port,
          onFrame: ({ stamp, bytes, receivedNs }) => {
            if (!stamp) return;
            const seq = stamp.seq;
            if (seq <= tally.lastSeq) return; // a re-sent frame is not a new delivery
            tally.lastSeq = seq;
            if (seq < from || seq >= to) return;
            tally.delivered++;
            tally.bytes += bytes;
            latenciesMs.push(Number(receivedNs - stamp.sentNs) / 1e6);
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
    to = end.seq;
    // Let frames already on their way arrive (bounded: a client that fell behind just counts less).
    await waitFor(
      () => tallies.every((t, i) => t.lastSeq >= to - 1 || clients[i]!.closed),
      2000,
      'clients to catch up',
    ).catch(() => undefined);
    const produced = to - from;
    const delivered = tallies.reduce((n, t) => n + t.delivered, 0);
    return {
      kind: options.kind,
      clients: options.clients,
      produced,
      delivered,
      deliveredShare: delivered / (produced * options.clients),
      deliveredBytes: tallies.reduce((n, t) => n + t.bytes, 0),
      serverCpuSeconds: cpuSeconds(start.cpu, end.cpu),
      latenciesMs: latenciesMs.sort((a, b) => a - b),
      failedClients: clients.filter((c) => c.error !== undefined || c.closed).length,
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

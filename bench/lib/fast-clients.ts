/**
 * One measured run with fast clients (reading as fast as they can): start the
 * server in a child, connect the clients, wait until every one has a picture,
 * then measure a window of produced frames: how many each client got, how
 * late, and what the server spent in CPU.
 */
import { CClientRun } from './c-client.js';
import { BenchServer, cpuSeconds, delay, type ServerKind, waitFor } from './harness.js';
import { MjpegClient } from './mjpeg-client.js';

export interface FastRunOptions {
  kind: ServerKind;
  clients: number;
  fps: number;
  frameBytes: number;
  seconds: number;
  /** Read with the C client built from `bench/c/` (see `buildCClient()`) instead of Node `MjpegClient`s. */
  cClientBinary?: string;
  /** Read through this instead of from the server directly (a relay started once the server produces). */
  via?: () => Promise<{ readonly port: number; stop(): Promise<void> }>;
  /** Gateway only: cameras fed the same frames (the clients watch the first); default 1. */
  cameras?: number;
  /** Gateway only: record every camera into this folder. */
  saveDir?: string;
  /** Gateway only: write every camera's frames, bare, into files in this folder (the floor under recording). */
  bareWriteDir?: string;
}

export interface FastRunResult {
  kind: ServerKind;
  clients: number;
  /** Which client process read the streams. */
  client: 'node' | 'c';
  /** Frames produced inside the measured window. */
  produced: number;
  /** Frames produced from the start until the window closed. */
  producedByEnd: number;
  /** Window frames received, summed over clients (each frame counted once per client). */
  delivered: number;
  /** delivered / (produced × clients). */
  deliveredShare: number;
  /** JPEG bytes of the window frames received, summed over clients. */
  deliveredBytes: number;
  /** Server process CPU (user + system) during the window. */
  serverCpuSeconds: number;
  /** Of which in the kernel (system time). */
  serverSystemSeconds: number;
  /** Frame added → last byte read, in ms, ascending. */
  latenciesMs: number[];
  /** Server-side fan-out time per window frame (handed to the server → every client's write issued), ms, ascending. */
  fanoutMs: number[];
  /**
   * CPU the client process spent per part it read, µs (Node: bench process during the window; C: the
   * client's whole run): what reading costs on the cores the server shares.
   */
  clientCpuPerPartUs: number;
  /** Clients that saw an error or lost their connection. */
  failedClients: number;
  /** The gateway only: its clients per pacing mode at the window's start and end. */
  pacing?: { start: Record<string, number>; end: Record<string, number> };
}

interface Tally {
  lastSeq: number;
  /** Every new frame this client got after the window opened: sequence number, size, latency. */
  got: { seq: number; bytes: number; latencyMs: number }[];
}

export async function runFastClients(options: FastRunOptions): Promise<FastRunResult> {
  if (options.cClientBinary !== undefined) return runCClient(options, options.cClientBinary);
  const server = await BenchServer.start(options.kind, options);
  const clients: MjpegClient[] = [];
  let via: { readonly port: number; stop(): Promise<void> } | undefined;
  try {
    await server.produce();
    via = await options.via?.();
    const port = via?.port ?? server.port;
    let from = Number.POSITIVE_INFINITY;
    const tallies: Tally[] = [];
    for (let i = 0; i < options.clients; i++) {
      const tally: Tally = { lastSeq: -1, got: [] };
      tallies.push(tally);
      clients.push(
        new MjpegClient({
          port,
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
    const cpuFrom = process.cpuUsage();
    const partsFrom = clients.reduce((n, c) => n + c.frames, 0);
    await delay(options.seconds * 1000);
    const end = await server.mark();
    const cpuTo = process.cpuUsage();
    const parts = clients.reduce((n, c) => n + c.frames, 0) - partsFrom;
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
      client: 'node',
      produced,
      producedByEnd: to,
      delivered,
      deliveredShare: delivered / (produced * options.clients),
      deliveredBytes: inWindow.reduce((n, g) => n + g.bytes, 0),
      serverCpuSeconds: cpuSeconds(start.cpu, end.cpu),
      serverSystemSeconds: (end.cpu.system - start.cpu.system) / 1e6,
      latenciesMs: inWindow.map((g) => g.latencyMs).sort((a, b) => a - b),
      fanoutMs: [...end.fanoutMs].sort((a, b) => a - b),
      clientCpuPerPartUs: parts > 0 ? (cpuSeconds(cpuFrom, cpuTo) * 1e6) / parts : Number.NaN,
      failedClients: clients.filter((c) => c.error !== undefined || c.closed).length,
      ...(start.pacing && end.pacing ? { pacing: { start: start.pacing, end: end.pacing } } : {}),
    };
  } finally {
    for (const c of clients) c.close();
    await via?.stop();
    await server.stop();
  }
}

/** The same run read by the C client: one epoll thread for every connection, stamps checked in C. */
async function runCClient(options: FastRunOptions, binary: string): Promise<FastRunResult> {
  const server = await BenchServer.start(options.kind, options);
  let client: CClientRun | undefined;
  let via: { readonly port: number; stop(): Promise<void> } | undefined;
  try {
    await server.produce();
    via = await options.via?.();
    client = new CClientRun(binary, via?.port ?? server.port, '/stream', options.clients);
    await client.ready(30_000);
    const start = await server.mark();
    await delay(options.seconds * 1000);
    const end = await server.mark();
    const got = await client.stop(start.seq, end.seq);
    const produced = end.seq - start.seq;
    if (got.delivered === 0)
      throw new Error(
        `C client got no window frames from ${options.kind}: ${got.firstError || 'no error reported'}`,
      );
    return {
      kind: options.kind,
      clients: options.clients,
      client: 'c',
      produced,
      producedByEnd: end.seq,
      delivered: got.delivered,
      deliveredShare: got.delivered / (produced * options.clients),
      deliveredBytes: got.deliveredBytes,
      serverCpuSeconds: cpuSeconds(start.cpu, end.cpu),
      serverSystemSeconds: (end.cpu.system - start.cpu.system) / 1e6,
      latenciesMs: got.latencyNs.map((ns) => ns / 1e6).sort((a, b) => a - b),
      fanoutMs: [...end.fanoutMs].sort((a, b) => a - b),
      clientCpuPerPartUs: got.cpuPerPartUs,
      failedClients: got.failedClients,
    };
  } finally {
    client?.kill();
    await via?.stop();
    await server.stop();
  }
}

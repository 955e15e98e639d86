/**
 * The server side of a streaming benchmark, run in its own process (forked by
 * `harness.ts`) so that `process.cpuUsage()` and RSS count the server alone,
 * not the clients parsing what it sends. Serves either the real gateway
 * (createGateway with a push source feeding its real Camera), the npm
 * `mjpeg-server` baseline or a bare `net` floor, and produces stamped frames
 * at a fixed rate into it.
 */

import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createGateway } from '../../src/gateway.js';
import type { RingBuffer } from '../../src/stream/ring-buffer.js';
import { PushSource } from '../../test/helpers/push-source.js';
import type { ChildReply, ChildRequest, ServerKind } from './harness.js';
import { StampedFrames } from './stamped-frame.js';

interface Served {
  port: number;
  /** Viewers the server currently serves. */
  clients(): number;
  /** The gateway only: how many of its stream clients are in each pacing mode. */
  pacing?(): Record<string, number>;
  push(frame: Buffer): void;
  close(): Promise<void>;
}

/**
 * The real gateway (`createGateway`), as `cam-gateway --protocol jpeg` runs it: every frame goes
 * through the camera's bare-JPEG decoder into its ring and out to the viewers, so what is measured
 * includes decoding and the per-viewer bookkeeping `/status` reports.
 */
async function serveOurs(): Promise<Served> {
  // BENCH_CAMERAS cameras each get every frame (clients watch the first); BENCH_SAVE_DIR records them all.
  const sources = Array.from(
    { length: Number(process.env.BENCH_CAMERAS ?? 1) },
    () => new PushSource('bench'),
  );
  const dir = process.env.BENCH_SAVE_DIR;
  const gateway = createGateway({
    cameras: sources.map((source, i) => ({
      name: i === 0 ? 'bench' : `bench${i}`,
      source,
      protocol: 'jpeg',
    })),
    host: '127.0.0.1',
    port: 0,
    version: 'bench',
    // The relay benchmark: the same gateway also publishing on the bus.
    ...(process.env.BENCH_PUBLISH ? { publish: { url: process.env.BENCH_PUBLISH } } : {}),
    ...(dir ? { recording: { dir, minFree: { bytes: 0 } } } : {}),
    // BENCH_PACING=off: today's policy (frames as the socket takes them), for side-by-side runs.
    pacing: process.env.BENCH_PACING !== 'off',
  });
  await gateway.start();
  const bare = process.env.BENCH_BARE_WRITE_DIR;
  const writers = bare
    ? await Promise.all(gateway.cameras.map((c, i) => bareWriter(c.ring, join(bare, `${i}.bin`))))
    : [];
  const camera = gateway.cameras[0]!;
  return {
    port: Number(new URL(gateway.url).port),
    clients: () => camera.viewers,
    pacing: () => {
      const modes: Record<string, number> = {};
      for (const c of camera.status().clients) if (c.pacing) modes[c.pacing] = (modes[c.pacing] ?? 0) + 1;
      return modes;
    },
    push: (frame) => {
      for (const source of sources) source.push(frame);
    },
    close: async () => {
      await gateway.stop();
      for (const close of writers) await close();
    },
  };
}

/**
 * The floor under recording: a ring's frames appended, bare, to one file, batched like the recorder
 * (a `writev` every second, off the ring's `add()`): what writing those bytes costs at all.
 */
async function bareWriter(ring: RingBuffer, path: string): Promise<() => Promise<void>> {
  const file = await open(path, 'w');
  let queue: Buffer[] = [];
  let position = 0;
  let writing: Promise<void> | undefined;
  const unsubscribe = ring.subscribe((entry) => {
    if (!entry) return;
    queue.push(entry.frame);
    writing ??= new Promise<void>((resolve) => setTimeout(resolve, 1000)).then(async () => {
      const batch = queue;
      queue = [];
      const { bytesWritten } = await file.writev(batch, position);
      position += bytesWritten;
      writing = undefined;
    });
  });
  return async () => {
    unsubscribe();
    await writing;
    await file.close();
  };
}

/** The `mjpeg-server` package: one handler per request, `.write(jpeg)` to each for every frame. */
interface MjpegReqHandler {
  write(jpeg: Buffer): boolean;
  close(): void;
}
interface MjpegServerModule {
  createReqHandler(req: IncomingMessage, res: ServerResponse): MjpegReqHandler;
}

async function serveBaseline(): Promise<Served> {
  const mjpegServer = createRequire(import.meta.url)('mjpeg-server') as MjpegServerModule;
  const handlers = new Set<MjpegReqHandler>();
  const server = createServer((req, res) => {
    const handler = mjpegServer.createReqHandler(req, res);
    handlers.add(handler);
    res.on('close', () => handlers.delete(handler));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clients: () => handlers.size,
    push: (frame) => {
      for (const h of handlers) h.write(frame);
    },
    close: async () => {
      for (const h of handlers) h.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The floor: a bare `net` server that answers any request with an MJPEG head
 * and writes each frame to every socket that is not backed up, as one corked
 * part (headers built once per frame). No HTTP parser, no routing, no
 * per-client state: what is left is loopback, the kernel and the clients.
 */
async function serveFloor(): Promise<Served> {
  const sockets = new Set<Socket>();
  const head = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\nConnection: close\r\n\r\n--frame\r\n',
  );
  const trailer = Buffer.from('\r\n--frame\r\n');
  const server = createNetServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let request = '';
    const onData = (chunk: Buffer): void => {
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.write(head);
      sockets.add(socket);
    };
    socket.on('data', onData);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clients: () => sockets.size,
    push: (frame) => {
      const partHead = Buffer.from(`Content-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
      for (const socket of sockets) {
        if (socket.writableNeedDrain) continue;
        socket.cork();
        socket.write(partHead);
        socket.write(frame);
        socket.write(trailer);
        socket.uncork();
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(reply: ChildReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  const kind = process.env.BENCH_SERVER as ServerKind;
  const fps = Number(process.env.BENCH_FPS ?? 30);
  const frames = new StampedFrames(Number(process.env.BENCH_FRAME_BYTES ?? 12_000));
  const served =
    kind === 'ours' ? await serveOurs() : kind === 'baseline' ? await serveBaseline() : await serveFloor();

  let seq = 0;
  let fanoutMs: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let peakRss = process.memoryUsage.rss();
  const rssSampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);

  // Frames on an absolute schedule (no drift): frame k is due at start + k / fps.
  const startProducing = (): void => {
    const period = 1000 / fps;
    const t0 = performance.now();
    const tick = (): void => {
      const frame = frames.make(seq++);
      const handed = process.hrtime.bigint();
      served.push(frame);
      process.nextTick(() => fanoutMs.push(Number(process.hrtime.bigint() - handed) / 1e6));
      timer = setTimeout(tick, Math.max(0, t0 + seq * period - performance.now()));
    };
    tick();
  };

  process.on('message', async (msg: ChildRequest) => {
    switch (msg.cmd) {
      case 'produce':
        startProducing();
        send({ cmd: 'producing' });
        break;
      case 'mark': {
        if (msg.gc) globalThis.gc?.();
        const memory = process.memoryUsage();
        const rss = memory.rss;
        const fanout = fanoutMs;
        fanoutMs = [];
        send({
          cmd: 'mark',
          seq,
          cpu: process.cpuUsage(),
          rss,
          memory,
          peakRss,
          clients: served.clients(),
          ...(served.pacing ? { pacing: served.pacing() } : {}),
          fanoutMs: fanout,
        });
        if (msg.resetPeak) peakRss = rss;
        break;
      }
      case 'stop':
        clearTimeout(timer);
        clearInterval(rssSampler);
        await served.close();
        send({ cmd: 'stopped' });
        process.disconnect();
        break;
    }
  });
  send({ cmd: 'ready', port: served.port });
}

main().catch((err: unknown) => {
  console.error(`bench server (${process.env.BENCH_SERVER}) failed:`, err);
  process.exit(1);
});

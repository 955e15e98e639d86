/**
 * Many clients at once over real sockets: everyone gets frames in order, a
 * client that stops reading costs the others nothing and holds at most about
 * one frame in the server's memory, and closing ends every stream.
 */
import type { Socket } from 'node:net';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { listen } from '../../src/http/server.js';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { mjpegResponse } from '../../src/stream/web-writer.js';
import { FakeCamera, fixtureFrames, paddedJpeg } from '../helpers/fake-camera.js';
import {
  closedAfterEach,
  openStalledClient,
  StreamClient,
  startGateway,
  type TestGateway,
  waitFor,
} from '../helpers/http.js';

const frames = fixtureFrames();
const { gateways: open, sockets } = closedAfterEach();

async function start(): Promise<{ gw: TestGateway; cam: FakeCamera }> {
  const cam = new FakeCamera('front');
  const gw = await startGateway({ cameras: [cam], version: '1', stillResendMs: 60_000 });
  open.push(gw);
  return { gw, cam };
}

async function openClients(gw: TestGateway, n: number, path = '/stream'): Promise<StreamClient[]> {
  const list = await Promise.all(Array.from({ length: n }, () => StreamClient.open(gw.url, path)));
  sockets.push(...list);
  return list;
}

describe('many clients', () => {
  it('50 concurrent clients each receive every frame, in index order, byte-exact', async () => {
    const { gw, cam } = await start();
    cam.push(frames[0]!);
    const clients = await openClients(gw, 50);
    const n = 12;
    for (let i = 0; i < n; i++) {
      if (i > 0) cam.push(frames[i]!);
      await waitFor(
        () => clients.every((c) => c.parts.length > i || c.error),
        `frame ${i} at all 50 clients`,
      );
    }
    for (const c of clients) {
      expect(c.error).toBeUndefined();
      expect(c.parts.map((p) => Number(p.headers['x-frame-index']))).toEqual([...Array(n).keys()]);
      for (const [i, p] of c.parts.entries()) expect(p.body.equals(frames[i]!)).toBe(true);
    }
    expect(gw.gateway.openStreams).toBe(50);
    expect(cam.activeViewers).toHaveLength(50);
  });

  it('10 stalled clients do not slow the others, and hold at most ~1 frame queued in the server', async () => {
    const { gw, cam } = await start();
    const serverSockets = new Map<number, Socket>();
    gw.server.server.on('connection', (s: Socket) => serverSockets.set(s.remotePort!, s));
    const frameBytes = 1 << 20;
    const big = Array.from({ length: 4 }, (_, i) => paddedJpeg(frames[i]!, frameBytes, i));
    cam.push(big[0]!);
    const stalled = await Promise.all(Array.from({ length: 10 }, () => openStalledClient(gw.url, '/stream')));
    sockets.push(...stalled);
    const active = await openClients(gw, 5);
    await waitFor(() => cam.activeViewers.length === 15, '15 viewers attached');

    const produced = 12; // 12 MiB per client: more than the kernel buffers of a stalled socket take
    for (let i = 1; i < produced; i++) {
      cam.push(big[i % big.length]!);
      await waitFor(
        () => active.every((c) => c.parts.length > i || c.error),
        `frame ${i} at the active clients`,
      );
    }
    for (const c of active) {
      expect(c.error).toBeUndefined();
      expect(c.parts).toHaveLength(produced);
    }
    const queued = stalled.map((s) => serverSockets.get(s.localPort!)!.writableLength);
    // One part (headers + frame + boundary) plus the stream's 16 KiB high-water mark, never a backlog.
    for (const q of queued) expect(q).toBeLessThanOrEqual(frameBytes + 64 * 1024);
    // The test did reach backpressure: the kernel buffers of stalled sockets are full.
    expect(stalled.some((s) => serverSockets.get(s.localPort!)!.writableNeedDrain)).toBe(true);
    const stalledViewers = cam.activeViewers.filter((v) => v.frames < produced);
    expect(stalledViewers.length).toBeGreaterThanOrEqual(10);
    // Closing the gateway cuts off the stalled ones too (they would never drain), and ends the others.
    gw.gateway.close();
    await waitFor(
      () => stalled.every((s) => serverSockets.get(s.localPort!)!.destroyed),
      'stalled connections cut',
    );
    await Promise.all(active.map((c) => c.ended()));
    expect(cam.activeViewers).toHaveLength(0);
  });

  it('closing the gateway with 20 open streams ends every one of them, and the server closes promptly', async () => {
    const { gw, cam } = await start();
    cam.push(frames[0]!);
    const clients = await openClients(gw, 20);
    const stalled = await openStalledClient(gw.url, '/stream');
    sockets.push(stalled);
    await waitFor(() => clients.every((c) => c.parts.length >= 1), 'first frame everywhere');
    await waitFor(() => gw.gateway.openStreams === 21, '21 open streams');
    gw.gateway.close();
    await Promise.all(clients.map((c) => c.ended()));
    expect(gw.gateway.openStreams).toBe(0);
    expect(cam.activeViewers).toHaveLength(0);
    const t0 = performance.now();
    await gw.server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    for (const c of clients) {
      expect(c.error).toBeUndefined();
      expect(c.closed).toBe(true);
    }
  });

  it('mjpegResponse in a plain Hono app on @hono/node-server: backpressure reaches the source', async () => {
    const ring = new RingBuffer(10);
    const app = new Hono();
    let served = 0;
    app.get('/cam', (c) =>
      mjpegResponse(ring, { resendMs: 60_000, signal: c.req.raw.signal, onFrame: () => served++ }),
    );
    const server = await listen(app, { host: '127.0.0.1', port: 0 });
    const serverSockets = new Map<number, Socket>();
    server.server.on('connection', (s: Socket) => serverSockets.set(s.remotePort!, s));
    try {
      const frameBytes = 1 << 20;
      ring.add(paddedJpeg(frames[0]!, frameBytes, 0));
      const stalled = await openStalledClient(server.url, '/cam');
      sockets.push(stalled);
      const active = await StreamClient.open(server.url, '/cam');
      sockets.push(active);
      await active.waitForParts(1);
      const produced = 12;
      for (let i = 1; i < produced; i++) {
        ring.add(paddedJpeg(frames[i % frames.length]!, frameBytes, i));
        await active.waitForParts(i + 1);
      }
      const queued = serverSockets.get(stalled.localPort!)!;
      expect(queued.writableNeedDrain).toBe(true);
      expect(queued.writableLength).toBeLessThanOrEqual(frameBytes + 64 * 1024);
      expect(served).toBeLessThan(2 * produced); // the stalled client was handed only a few frames
    } finally {
      await server.close();
    }
  });
});

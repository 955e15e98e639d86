/**
 * MJPEG over a real socket, read as raw bytes with a strict multipart parser:
 * what ffmpeg, browsers and OctoPrint see on the wire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/http/app.js';
import { listen } from '../../src/http/server.js';
import { PART_PREFIX } from '../../src/stream/mjpeg-format.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { fetchJson, StreamClient, startGateway, type TestGateway, waitFor } from '../helpers/http.js';

const frames = fixtureFrames();
const TIMESTAMP = /^\d+\.\d{6}$/;
let open: TestGateway[] = [];
let clients: StreamClient[] = [];

async function start(options: Partial<AppOptions> = {}): Promise<{ gw: TestGateway; cam: FakeCamera }> {
  const cam = new FakeCamera('front');
  const gw = await startGateway({ cameras: [cam], version: '9.9.9', stillResendMs: 60_000, ...options });
  open.push(gw);
  return { gw, cam };
}

async function client(gw: TestGateway, path: string, requireContentLength = true): Promise<StreamClient> {
  const c = await StreamClient.open(gw.url, path, { requireContentLength });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients) c.destroy();
  for (const gw of open) await gw.close();
  clients = [];
  open = [];
});

describe('MJPEG on the wire', () => {
  it('sends HTTP headers, the initial boundary, and every frame byte-exact with its part headers', async () => {
    const { gw, cam } = await start();
    const sent = [cam.push(frames[0]!)];
    const c = await client(gw, '/stream');
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('multipart/x-mixed-replace; boundary=frame');
    expect(c.headers['cache-control']).toBe('no-store, no-cache, must-revalidate, max-age=0');
    expect(c.headers.pragma).toBe('no-cache');
    expect(c.headers['transfer-encoding']).toBeUndefined();
    expect(c.headers.connection).toBe('close');
    await c.waitForParts(1);
    for (let i = 1; i < frames.length; i++) {
      sent.push(cam.push(frames[i]!));
      await c.waitForParts(i + 1);
    }
    expect(c.bodyBytes().subarray(0, 9).toString()).toBe('--frame\r\n');
    c.parts.forEach((part, i) => {
      expect(part.body.equals(frames[i]!)).toBe(true);
      expect(part.headers['content-type']).toBe('image/jpeg');
      expect(part.headers['content-length']).toBe(String(frames[i]!.length));
      expect(part.headers['x-timestamp']).toMatch(TIMESTAMP);
      expect(part.headers['x-timestamp']).toBe(sent[i]!.timestamp.toFixed(6));
      expect(part.headers['x-frame-index']).toBe(String(i));
    });
    const viewer = cam.activeViewers[0]!;
    expect(viewer.kind).toBe('stream');
    expect(viewer.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    await waitForViewerFrames(cam, frames.length);
  });

  it('sends the boundary right after each frame, without waiting for the next one', async () => {
    const { gw, cam } = await start();
    cam.push(frames[3]!);
    const c = await client(gw, '/stream');
    // The parser emits a part only once "\r\n--frame\r\n" after its body arrived; no second frame exists.
    const [part] = await c.waitForParts(1);
    expect(part!.body.equals(frames[3]!)).toBe(true);
    const body = c.bodyBytes();
    const end = body.indexOf(frames[3]!) + frames[3]!.length;
    expect(body.subarray(end, end + 11).toString()).toBe('\r\n--frame\r\n');
    // What follows can only be the start of the next part's headers (a paced client's probes).
    const after = body.subarray(end + 11);
    expect(PART_PREFIX.subarray(0, after.length).equals(after)).toBe(true);
  });

  it('advance_headers=1 sends the next part headers right after each frame (no Content-Length)', async () => {
    const { gw, cam } = await start();
    cam.push(frames[0]!);
    const c = await client(gw, '/stream?advance_headers=1', false);
    await c.waitForParts(1);
    expect(c.parts[0]!.body.equals(frames[0]!)).toBe(true);
    expect(c.parts[0]!.headers['content-length']).toBeUndefined();
    // Headers of the part after it are already here although no second frame was produced.
    const pending = c.parser.pendingHeaders;
    expect(pending?.['content-type']).toBe('image/jpeg');
    expect(pending?.['x-timestamp']).toMatch(TIMESTAMP);
    expect(c.bodyBytes().subarray(-4).toString()).toBe('\r\n\r\n');
    cam.push(frames[1]!);
    await c.waitForParts(2);
    expect(c.parts[1]!.body.equals(frames[1]!)).toBe(true);
  });

  it('?fps=N caps one client while an uncapped client gets every frame', async () => {
    const { gw, cam } = await start();
    cam.push(frames[0]!);
    const t0 = performance.now();
    const fast = await client(gw, '/stream');
    const capped = await client(gw, '/stream?fps=4');
    await fast.waitForParts(1);
    const produced = 30;
    for (let i = 1; i < produced; i++) {
      cam.push(frames[i % frames.length]!);
      await fast.waitForParts(i + 1);
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(fast.parts).toHaveLength(produced);
    // At most one frame per 1/4 s of production time (plus the first one), whatever the machine's speed.
    expect(capped.parts.length).toBeGreaterThanOrEqual(1);
    expect(capped.parts.length).toBeLessThanOrEqual(Math.floor(seconds * 4) + 1);
    expect(capped.parts.length).toBeLessThan(produced);
    const status = await fetchJson(`${gw.url}/status`);
    const clientsShown = (status.body.cameras as { clients: { fpsCap?: number }[] }[])[0]!.clients;
    expect(clientsShown.map((x) => x.fpsCap).sort()).toEqual([4, undefined]);
  });

  it('re-sends the last frame of a still camera every stillResendMs', async () => {
    const { gw, cam } = await start({ stillResendMs: 30 });
    cam.push(frames[7]!);
    const c = await client(gw, '/stream');
    const parts = await c.waitForParts(3);
    for (const p of parts) {
      expect(p.body.equals(frames[7]!)).toBe(true);
      expect(p.headers['x-frame-index']).toBe('0');
    }
  });

  it('sends the NO SIGNAL card before the first frame and while offline, live frames in between', async () => {
    const { gw, cam } = await start({ stillResendMs: 30 });
    const c = await client(gw, '/stream');
    await c.waitForParts(2);
    expect(c.parts[0]!.body.equals(NO_SIGNAL_JPEG)).toBe(true);
    expect(c.parts[1]!.body.equals(NO_SIGNAL_JPEG)).toBe(true);
    cam.push(frames[0]!);
    await waitForPart(c, (b) => b.equals(frames[0]!));
    cam.online = false;
    await waitForPart(c, (b) => b.equals(NO_SIGNAL_JPEG), c.parts.length);
  });

  it('keeps middleware headers on the directly written stream: CORS with Vary, and auth first', async () => {
    const { gw, cam } = await start({ cors: 'http://example.com', auth: { username: 'u', password: 'p' } });
    cam.push(frames[0]!);
    const denied = await StreamClient.open(gw.url, '/stream');
    clients.push(denied);
    expect(denied.status).toBe(401);
    expect(cam.viewers.size).toBe(0);
    const c = await StreamClient.open(gw.url, '/stream', {
      headers: {
        Origin: 'http://example.com',
        Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
      },
    });
    clients.push(c);
    expect(c.status).toBe(200);
    expect(c.headers['access-control-allow-origin']).toBe('http://example.com');
    expect(c.headers['access-control-expose-headers']).toContain('X-Frame-Index');
    expect(c.headers.vary).toBe('Origin');
    expect(c.headers['content-type']).toBe('multipart/x-mixed-replace; boundary=frame');
    await c.waitForParts(1);
  });

  it('HEAD /stream answers headers and no body', async () => {
    const { gw, cam } = await start();
    const c = await StreamClient.open(gw.url, '/stream', { method: 'HEAD' });
    clients.push(c);
    await c.ended();
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('multipart/x-mixed-replace; boundary=frame');
    expect(c.bodyBytes().length).toBe(0);
    expect(cam.viewers.size).toBe(0);
  });

  it('answers 404 and 400 JSON over the socket', async () => {
    const { gw } = await start();
    const a = await fetchJson(`${gw.url}/cams/nope/stream`);
    expect(a.status).toBe(404);
    expect(a.body.cameras).toEqual(['front']);
    const b = await fetchJson(`${gw.url}/?action=stream&fps=abc`);
    expect(b.status).toBe(400);
    expect(b.body).toMatchObject({ parameter: 'fps' });
  });
});

describe('listen()', () => {
  it('names the address when the port is already in use', async () => {
    const { gw } = await start();
    const { port } = gw.server;
    await expect(listen(gw.gateway.app, { host: '127.0.0.1', port })).rejects.toThrow(
      `127.0.0.1:${port} is already in use`,
    );
    await expect(listen(gw.gateway.app, { host: '127.0.0.1', port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('close() resolves promptly with a stream open, and the client sees the connection end', async () => {
    const { gw, cam } = await start();
    cam.push(frames[0]!);
    const c = await client(gw, '/stream');
    await c.waitForParts(1);
    await gw.server.close();
    await c.ended();
    expect(c.closed).toBe(true);
  });
});

async function waitForViewerFrames(cam: FakeCamera, n: number): Promise<void> {
  await waitFor(() => (cam.activeViewers[0]?.frames ?? 0) >= n, `${n} frames counted on the lease`);
}

async function waitForPart(c: StreamClient, match: (body: Buffer) => boolean, from = 0): Promise<void> {
  await waitFor(
    () => c.parts.slice(from).some((p) => match(p.body)) || c.error !== undefined,
    'a matching part',
  );
  if (c.error) throw c.error;
}

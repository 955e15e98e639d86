/**
 * The viewer page's WebSocket (`/ws`) over a real socket, read by the real `ws` client with
 * the page's own frame decoder: what the page is sent and when, the acknowledgement that
 * paces it, status pushes, the viewers `/status` counts, and the handshake's answers
 * (auth, origin, errors) — which are the app's like every other request's.
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway.js';
import type { AppOptions } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { MAX_PAGE_MESSAGE_BYTES, ViewerSockets } from '../../src/http/ws.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { StreamClient, startGateway, type TestGateway, waitFor } from '../helpers/http.js';
import { PageSocket, type PageSocketOptions } from '../helpers/page-socket.js';

const frames = fixtureFrames();
let gateways: TestGateway[] = [];
let servers: RunningServer[] = [];
let sockets: PageSocket[] = [];

async function start(options: Partial<AppOptions> = {}): Promise<{ gw: TestGateway; cams: FakeCamera[] }> {
  const cams = [new FakeCamera('front'), new FakeCamera('back')];
  const gw = await startGateway({ cameras: cams, version: '9.9.9', stillResendMs: 60_000, ...options });
  gateways.push(gw);
  return { gw, cams };
}

async function page(url: string, options: PageSocketOptions = {}): Promise<PageSocket> {
  const socket = await PageSocket.open(url, options);
  sockets.push(socket);
  return socket;
}

/** The handshake's refusal: status, headers, body. */
async function refusal(
  url: string,
  options: PageSocketOptions = {},
  path = '/ws',
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const error = await PageSocket.open(url, options, path).then(
    (socket) => {
      socket.close();
      throw new Error('the handshake was accepted');
    },
    (err: unknown) => err as { status: number; headers: Record<string, string>; body: string },
  );
  return error;
}

afterEach(async () => {
  for (const s of sockets) s.close();
  for (const gw of gateways) await gw.close();
  for (const server of servers) await server.close();
  sockets = [];
  gateways = [];
  servers = [];
});

describe('viewer socket: frames', () => {
  it('sends each watched camera one frame at a time, the newest after each ack, with its index and timestamp', async () => {
    const { gw, cams } = await start();
    const [front, back] = cams as [FakeCamera, FakeCamera];
    const first = front.push(frames[0]!);
    const p = await page(gw.url);
    p.watch(['front', 'back']);
    // The front camera's latest frame at once, byte-exact; the back camera has none yet: the NO SIGNAL card.
    const got = await p.waitForFrames(0, 1);
    expect(got).toMatchObject({ kind: 'frame', camera: 0, index: first.index, timestamp: first.timestamp });
    expect(Buffer.from(got.jpeg).equals(frames[0]!)).toBe(true);
    const card = await p.waitForFrames(1, 1);
    expect(card.kind).toBe('placeholder');
    expect(Buffer.from(card.jpeg).equals(NO_SIGNAL_JPEG)).toBe(true);

    // Frames keep coming while the page has not acknowledged: nothing more is sent for that camera.
    for (let i = 1; i <= 5; i++) front.push(frames[i]!);
    // (The socket keeps order: once the back camera's next frame is here, a front frame sent before it would be too.)
    p.ack(1);
    const backFrame = back.push(frames[9]!);
    expect(await p.waitForFrames(1, 2)).toMatchObject({ kind: 'frame', index: backFrame.index });
    expect(p.framesOf(0)).toHaveLength(1);

    // The ack: the newest frame comes, the ones the page was too slow for are skipped.
    p.ack(0);
    const next = await p.waitForFrames(0, 2);
    expect(next.index).toBe(5);
    expect(Buffer.from(next.jpeg).equals(frames[5]!)).toBe(true);
    p.ack(0);
    const sixth = front.push(frames[6]!);
    expect((await p.waitForFrames(0, 3)).index).toBe(sixth.index);

    // Each camera counts the page as one stream viewer, with what it was sent.
    expect(front.activeViewers).toMatchObject([{ kind: 'stream', frames: 3 }]);
    expect(back.activeViewers).toMatchObject([{ kind: 'stream', frames: 2 }]);
    expect(front.activeViewers[0]!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(gw.gateway.openSockets).toBe(1);
  });

  it('pushes the /status body at once and about once a second', async () => {
    const { gw, cams } = await start();
    cams[0]!.push(frames[0]!);
    const p = await page(gw.url);
    const first = await p.waitForText('status');
    p.watch(['front']);
    const third = await p.waitForText('status', 3, 5000);
    const status = third.status as {
      version: string;
      cameras: { name: string; clients: { kind: string }[] }[];
    };
    expect(status.version).toBe('9.9.9');
    expect(status.cameras.map((c) => c.name)).toEqual(['front', 'back']);
    // The page itself shows up as the front camera's viewer.
    expect(status.cameras[0]!.clients).toMatchObject([{ kind: 'stream' }]);
    expect((first.status as { cameras: unknown[] }).cameras).toHaveLength(2);
  });

  it('a new watch list replaces the old; an unknown camera or a bad message gets an error and changes nothing', async () => {
    const { gw, cams } = await start();
    const [front, back] = cams as [FakeCamera, FakeCamera];
    const p = await page(gw.url);
    p.watch(['front', 'back']);
    await waitFor(() => front.activeViewers.length === 1 && back.activeViewers.length === 1, 'both watched');
    p.watch(['back']);
    await waitFor(() => front.activeViewers.length === 0, 'front released');
    expect(back.activeViewers).toHaveLength(1);

    p.watch(['back', 'side']);
    expect(await p.waitForText('error')).toMatchObject({
      error: 'unknown camera "side"; known cameras: front, back',
      cameras: ['front', 'back'],
    });
    p.ws.send('not json');
    expect((await p.waitForText('error', 2)).error).toMatch(/JSON/);
    p.ws.send(JSON.stringify({ type: 'zoom' }));
    expect((await p.waitForText('error', 3)).error).toMatch(/unknown message type "zoom"/);
    p.ws.send(Buffer.from([1, 2, 3]));
    expect((await p.waitForText('error', 4)).error).toMatch(/binary/);
    p.ws.send(JSON.stringify({ type: 'ack', camera: -1 }));
    expect((await p.waitForText('error', 5)).error).toMatch(/"ack" needs "camera"/);
    expect(front.activeViewers).toHaveLength(0);
    expect(back.activeViewers).toHaveLength(1);
    expect(p.closed).toBeUndefined();
  });

  it('a message over the cap closes the socket (1009) and releases its viewers', async () => {
    const { gw, cams } = await start();
    const p = await page(gw.url);
    p.watch(['front']);
    await waitFor(() => cams[0]!.activeViewers.length === 1, 'watching');
    p.ws.send('x'.repeat(MAX_PAGE_MESSAGE_BYTES + 1));
    expect((await p.waitForClose()).code).toBe(1009);
    await waitFor(() => cams[0]!.activeViewers.length === 0 && gw.gateway.openSockets === 0, 'released');
  });

  it('closing the page releases its viewers; closing the gateway closes every page (1001) and refuses new ones', async () => {
    const { gw, cams } = await start();
    const a = await page(gw.url);
    a.watch(['front', 'back']);
    await waitFor(() => cams.every((c) => c.activeViewers.length === 1), 'watching');
    a.ws.close();
    await waitFor(() => cams.every((c) => c.activeViewers.length === 0), 'released');
    const b = await page(gw.url);
    b.watch(['front']);
    await waitFor(() => cams[0]!.activeViewers.length === 1, 'watching');
    gw.gateway.close();
    expect(await b.waitForClose()).toEqual({ code: 1001, reason: 'the gateway is stopping' });
    expect(cams[0]!.activeViewers).toHaveLength(0);
    expect(gw.gateway.openSockets).toBe(0);
    expect(await refusal(gw.url)).toMatchObject({ status: 503 });
  });

  it('gateway.stop() closes the viewer sockets of a real gateway', async () => {
    const gateway = createGateway({ cameras: [{ name: 'demo', demo: true }], port: 0 });
    await gateway.start();
    try {
      const p = await PageSocket.open(gateway.url);
      sockets.push(p);
      p.watch(['demo']);
      await p.waitForFrames(0, 1);
      await gateway.stop();
      expect((await p.waitForClose()).code).toBe(1001);
    } finally {
      await gateway.stop();
    }
  });
});

describe('viewer socket: the handshake', () => {
  it('honours --auth: 401 with the Basic challenge without credentials, open with them', async () => {
    const { gw } = await start({ auth: { username: 'me', password: 'pw' } });
    const refused = await refusal(gw.url);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="cam-gateway"');
    expect((await refusal(gw.url, { auth: 'me:wrong' })).status).toBe(401);
    const p = await page(gw.url, { auth: 'me:pw' });
    expect((await p.waitForText('status')).status).toMatchObject({ version: '9.9.9' });
  });

  it('refuses a page of another origin (403) unless --cors allows it', async () => {
    const { gw } = await start();
    const host = new URL(gw.url).host;
    const foreign = await refusal(gw.url, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({
      error: 'WebSocket from origin http://evil.example refused (allow it with --cors)',
    });
    await page(gw.url, { origin: `http://${host}` });
    const { gw: open } = await start({ cors: 'http://dash.example' });
    await page(open.url, { origin: 'http://dash.example' });
    expect((await refusal(open.url, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('answers a plain request 426, and one without a Node socket 501', async () => {
    const { gw } = await start();
    const plain = await fetch(`${gw.url}/ws`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    expect(((await plain.json()) as { error: string }).error).toMatch(/Upgrade: websocket/);
    // An Upgrade header without `Connection: Upgrade` is no upgrade either.
    const half = await StreamClient.open(gw.url, '/ws', { headers: { Upgrade: 'websocket' } });
    half.destroy();
    expect(half.status).toBe(426);
    const res = await gw.gateway.app.request('/ws', {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
    });
    expect(res.status).toBe(501);
  });

  it('answers an upgrade request to any other route as that route does, then closes', async () => {
    const { gw } = await start();
    const status = await refusal(gw.url, {}, '/status');
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ name: 'cam-gateway', version: '9.9.9' });
    const missing = await refusal(gw.url, {}, '/nope');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'no such endpoint: GET /nope' });
  });

  it('cuts off a page that stops answering pings, and keeps one that answers', async () => {
    const cam = new FakeCamera('front');
    const viewerSockets = new ViewerSockets({
      cameras: () => [cam],
      byName: () => cam,
      status: () => ({}),
      placeholder: NO_SIGNAL_JPEG,
      resendMs: 60_000,
      statusMs: 50,
      heartbeatMs: 100,
    });
    const app = new Hono();
    app.get('/ws', (c) => viewerSockets.handle(c));
    const server = await listen(app, { host: '127.0.0.1', port: 0 });
    servers.push(server);
    const silent = await page(server.url, { autoPong: false });
    const alive = await page(server.url);
    expect((await silent.waitForClose()).code).toBe(1006);
    // Several pings later the answering page is still there.
    await alive.waitForText('status', 20);
    expect(alive.closed).toBeUndefined();
    expect(viewerSockets.openSockets).toBe(1);
    viewerSockets.close();
  });
});

/**
 * Clients from before HTTP/1.1 and browsers with their own needs, over real sockets: an
 * HTTP/1.0 request without Host (mjpg-streamer-era C clients and scripts), mjpg-streamer's
 * numbered inputs, a dashboard's credentialed CORS fetch, TCP_NODELAY on stream sockets, and
 * Safari's second copy of the final frame.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { libc } from '../../src/platform/libc.js';
import { socketFd } from '../../src/platform/tcp.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { closedAfterEach, StreamClient, startGateway, type TestGateway, waitFor } from '../helpers/http.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();
const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const { gateways: open, sockets } = closedAfterEach();

async function start(
  options: { cors?: string; cameras?: FakeCamera[] } = {},
): Promise<{ gw: TestGateway; cams: FakeCamera[] }> {
  const cams = options.cameras ?? [new FakeCamera('front')];
  const gw = await startGateway({
    cameras: cams,
    version: '1',
    stillResendMs: 60_000,
    ...(options.cors ? { cors: options.cors } : {}),
  });
  open.push(gw);
  return { gw, cams };
}

/** Send `request` as raw bytes and collect the response until the server closes (or `until` holds). */
async function raw(
  gw: TestGateway,
  request: string,
  until: (bytes: Buffer) => boolean = () => false,
): Promise<{ head: string; body: Buffer }> {
  const socket = connect(gw.server.port, '127.0.0.1');
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.write(request);
  await waitFor(() => closed || until(Buffer.concat(chunks)), 'the response');
  const all = Buffer.concat(chunks);
  const end = all.indexOf('\r\n\r\n');
  return { head: all.subarray(0, end).toString('latin1'), body: all.subarray(end + 4) };
}

describe('HTTP/1.0 without Host', () => {
  it('GET /?action=snapshot HTTP/1.0 with no Host → 200 and the JPEG; HTTP/1.1 without Host stays 400', async () => {
    const { gw, cams } = await start();
    cams[0]!.push(frames[1]!);
    const old = await raw(gw, 'GET /?action=snapshot HTTP/1.0\r\n\r\n');
    expect(old.head).toMatch(/^HTTP\/1\.[01] 200 /);
    expect(old.head).toMatch(/\r\ncontent-type: image\/jpeg\r\n/i);
    expect(old.body.equals(frames[1]!)).toBe(true);

    const noHost11 = await raw(gw, 'GET /?action=snapshot HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(noHost11.head).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('an HTTP/1.0 stream request without Host gets the multipart stream', async () => {
    const { gw, cams } = await start();
    cams[0]!.push(frames[2]!);
    const parser = new MultipartParser('frame');
    const res = await raw(gw, 'GET /?action=stream HTTP/1.0\r\n\r\n', (bytes) => {
      const end = bytes.indexOf('\r\n\r\n');
      return end >= 0 && new MultipartParser('frame').push(bytes.subarray(end + 4)).length > 0;
    });
    expect(res.head).toMatch(/^HTTP\/1\.[01] 200 /);
    expect(res.head).toMatch(/\r\ncontent-type: multipart\/x-mixed-replace; boundary=frame\r\n/i);
    const [part] = parser.push(res.body);
    expect(part!.body.equals(frames[2]!)).toBe(true);
  });
});

describe("mjpg-streamer's numbered inputs", () => {
  it('?action=snapshot_0 / stream_0 is camera 0, _1 camera 1; a missing number → 404 naming the cameras', async () => {
    const front = new FakeCamera('front');
    const back = new FakeCamera('back');
    const { gw } = await start({ cameras: [front, back] });
    front.push(frames[0]!);
    back.push(frames[3]!);
    const zero = await gw.gateway.app.request('/?action=snapshot_0');
    expect(Buffer.from(await zero.arrayBuffer()).equals(frames[0]!)).toBe(true);
    const one = await gw.gateway.app.request('/?action=snapshot_1');
    expect(Buffer.from(await one.arrayBuffer()).equals(frames[3]!)).toBe(true);

    const stream = await StreamClient.open(gw.url, '/?action=stream_1');
    sockets.push(stream);
    const [part] = await stream.waitForParts(1);
    expect(part!.body.equals(frames[3]!)).toBe(true);
    expect(back.activeViewers).toHaveLength(1);
    expect(front.activeViewers).toHaveLength(0);

    const missing = await gw.gateway.app.request('/?action=stream_2');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'no camera number 2; cameras 0-1: front, back',
      cameras: ['front', 'back'],
    });
    const bad = await gw.gateway.app.request('/?action=stream_x');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { parameter: string }).parameter).toBe('action');
  });
});

describe('CORS with credentials', () => {
  it('--cors ORIGIN (not *) allows credentials, on snapshots and on the raw stream head; * does not', async () => {
    const { gw, cams } = await start({ cors: 'http://dash.example' });
    cams[0]!.push(frames[0]!);
    const snap = await gw.gateway.app.request('/snapshot', { headers: { origin: 'http://dash.example' } });
    expect(snap.headers.get('access-control-allow-origin')).toBe('http://dash.example');
    expect(snap.headers.get('access-control-allow-credentials')).toBe('true');
    const stream = await StreamClient.open(gw.url, '/stream', { headers: { Origin: 'http://dash.example' } });
    sockets.push(stream);
    expect(stream.headers['access-control-allow-origin']).toBe('http://dash.example');
    expect(stream.headers['access-control-allow-credentials']).toBe('true');

    const { gw: any, cams: anyCams } = await start({ cors: '*' });
    anyCams[0]!.push(frames[0]!);
    const open = await any.gateway.app.request('/snapshot', { headers: { origin: 'http://dash.example' } });
    expect(open.headers.get('access-control-allow-origin')).toBe('*');
    expect(open.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('TCP_NODELAY', () => {
  it('is set on the server side of every stream socket', async () => {
    const c = libc();
    expect(c).not.toBeNull();
    const { gw, cams } = await start();
    const serverSockets: Socket[] = [];
    gw.server.server.on('connection', (s: Socket) => serverSockets.push(s));
    cams[0]!.push(frames[0]!);
    const stream = await StreamClient.open(gw.url, '/stream');
    sockets.push(stream);
    await stream.waitForParts(1);
    const fd = socketFd(serverSockets[0]);
    expect(fd).toBeDefined();
    const value = Buffer.alloc(4);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(4, 0);
    expect(c!.getsockopt(fd!, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, value, length)).toBe(0);
    expect(value.readInt32LE(0)).not.toBe(0);
  });
});

describe('dual final frames (Safari/WebKit)', () => {
  /** Push three frames a few ms apart, then nothing: how many parts does each client get of the last one? */
  async function copiesOfLast(path: string, userAgent: string): Promise<number> {
    const { gw, cams } = await start();
    const cam = cams[0]!;
    cam.push(frames[0]!);
    const client = await StreamClient.open(gw.url, path, { headers: { 'User-Agent': userAgent } });
    sockets.push(client);
    await client.waitForParts(1);
    for (let i = 1; i < 3; i++) {
      cam.push(frames[i]!);
      await client.waitForParts(i + 1);
    }
    // Still from here on: a copy comes within about two frame intervals (≥ 50 ms), the re-send only after 60 s.
    const last = cam.ring.latest()!.index;
    await waitFor(() => client.parts.length > 3, 'a copy of the final frame', 1000).catch(() => undefined);
    return client.parts.filter((p) => Number(p.headers['x-frame-index']) === last).length;
  }

  it('Safari gets the final frame twice as soon as the camera is still; Chrome once', async () => {
    expect(await copiesOfLast('/stream', SAFARI)).toBe(2);
    expect(await copiesOfLast('/stream', CHROME)).toBe(1);
  });

  it('?dual_final_frames=1 asks for it, =0 turns it off', async () => {
    expect(await copiesOfLast('/stream?dual_final_frames=1', CHROME)).toBe(2);
    expect(await copiesOfLast('/stream?dual_final_frames=0', SAFARI)).toBe(1);
  });
});

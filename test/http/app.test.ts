import { afterEach, describe, expect, it } from 'vitest';
import { ControlError, type ControlErrorKind } from '../../src/control/errors.js';
import { type AppOptions, createApp, type GatewayApp } from '../../src/http/app.js';
import { MJPEG_CONTENT_TYPE } from '../../src/stream/mjpeg-format.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { waitFor } from '../helpers/http.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();
let gateways: GatewayApp[] = [];

function make(options: Partial<AppOptions> = {}): { gw: GatewayApp; cam: FakeCamera; other: FakeCamera } {
  const cam = new FakeCamera('front');
  const other = new FakeCamera('back');
  const gw = createApp({ cameras: [cam, other], version: '1.2.3', stillResendMs: 50, ...options });
  gateways.push(gw);
  return { gw, cam, other };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

afterEach(() => {
  for (const gw of gateways) gw.close();
  gateways = [];
});

describe('createApp options', () => {
  it('refuses no cameras and duplicate names', () => {
    expect(() => createApp({ cameras: [], version: '1' })).toThrow(/at least one camera/);
    expect(() => createApp({ cameras: [new FakeCamera('a'), new FakeCamera('a')], version: '1' })).toThrow(
      /camera name "a" is used twice/,
    );
  });
});

describe('snapshot', () => {
  it('503 JSON before any frame, then the latest JPEG with X-Timestamp and X-Frame-Index', async () => {
    const { gw, cam } = make();
    const none = await gw.app.request('/snapshot');
    expect(none.status).toBe(503);
    expect(await json(none)).toEqual({ error: 'camera "front" has not sent a frame yet', camera: 'front' });
    cam.push(frames[0]!);
    const entry = cam.push(frames[1]!, 5_000_000);
    for (const path of ['/snapshot', '/?action=snapshot', '/cams/front/snapshot']) {
      const res = await gw.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('content-length')).toBe(String(frames[1]!.length));
      expect(res.headers.get('x-timestamp')).toBe(entry.timestamp.toFixed(6));
      expect(res.headers.get('x-frame-index')).toBe('1');
      expect(res.headers.get('x-device-time-us')).toBe('5000000');
      expect(res.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, max-age=0');
      expect(Buffer.from(await res.arrayBuffer()).equals(frames[1]!)).toBe(true);
    }
    const snaps = [...cam.viewers.values()].filter((v) => v.kind === 'snapshot');
    expect(snaps.length).toBe(4);
    expect(snaps.every((v) => v.releaseCalls === 1)).toBe(true);
    expect(snaps.slice(1).every((v) => v.frames === 1 && v.bytes === frames[1]!.length)).toBe(true);
  });

  it('?fresh=1 waits for a newer frame; 504 JSON when none comes in time', async () => {
    const { gw, cam } = make({ snapshotTimeoutMs: 50 });
    cam.push(frames[0]!);
    const late = await gw.app.request('/snapshot?fresh=1');
    expect(late.status).toBe(504);
    expect((await json(late)).error).toBe('no new frame from camera "front" within 50 ms');

    const waiting = gw.app.request('/snapshot?fresh=1');
    // The request is registered as a viewer before it waits: publish once it is.
    await waitFor(() => cam.activeViewers.length > 0, 'the snapshot request to wait');
    const newer = cam.push(frames[2]!);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-index')).toBe(String(newer.index));
    expect(cam.activeViewers).toHaveLength(0);
  });

  it('a waiting ?fresh=1 snapshot answers 503 when the gateway closes, and releases its viewer', async () => {
    const { gw, cam } = make({ snapshotTimeoutMs: 60_000 });
    const waiting = gw.app.request('/snapshot?fresh=1');
    await waitFor(() => cam.activeViewers.length > 0, 'the snapshot request to wait');
    gw.close();
    const res = await waiting;
    expect(res.status).toBe(503);
    expect((await json(res)).error).toBe('the gateway is shutting down');
    expect(cam.activeViewers).toHaveLength(0);
    expect(cam.ring.waiting).toBe(0);
  });

  it('HEAD answers headers only and registers no viewer', async () => {
    const { gw, cam } = make();
    expect((await gw.app.request('/snapshot', { method: 'HEAD' })).status).toBe(503);
    cam.push(frames[0]!);
    const res = await gw.app.request('/snapshot', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(frames[0]!.length));
    expect(await res.text()).toBe('');
    expect(cam.viewers.size).toBe(0);
  });
});

describe('stream via app.request()', () => {
  it('serves multipart from /stream, /?action=stream and /cams/:name/stream; cancel releases the viewer', async () => {
    const { gw, cam, other } = make();
    cam.push(frames[0]!);
    other.push(frames[5]!);
    for (const [path, camera, frame] of [
      ['/stream', cam, frames[0]!],
      ['/?action=stream', cam, frames[0]!],
      ['/cams/back/stream', other, frames[5]!],
    ] as const) {
      const res = await gw.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(MJPEG_CONTENT_TYPE);
      expect(res.headers.get('pragma')).toBe('no-cache');
      const reader = res.body!.getReader();
      const parser = new MultipartParser();
      const parts = [];
      while (parts.length < 1) parts.push(...parser.push((await reader.read()).value!));
      expect(parts[0]!.body.equals(frame)).toBe(true);
      expect(gw.openStreams).toBe(1);
      await reader.cancel();
      expect(gw.openStreams).toBe(0);
      expect(camera.activeViewers).toHaveLength(0);
    }
    expect(cam.viewers.get(1)!.frames).toBe(1);
  });

  it('sends the NO SIGNAL card while the camera is offline', async () => {
    const { gw, cam } = make();
    cam.push(frames[0]!);
    cam.online = false;
    const reader = (await gw.app.request('/stream')).body!.getReader();
    const parser = new MultipartParser();
    const parts = [];
    while (parts.length < 2) parts.push(...parser.push((await reader.read()).value!));
    expect(parts.every((p) => p.body.equals(NO_SIGNAL_JPEG))).toBe(true);
    expect(NO_SIGNAL_JPEG.subarray(0, 2).toString('hex')).toBe('ffd8');
    await reader.cancel();
  });

  it('HEAD answers the stream headers without opening a stream', async () => {
    const { gw, cam } = make();
    const res = await gw.app.request('/stream', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MJPEG_CONTENT_TYPE);
    expect(gw.openStreams).toBe(0);
    expect(cam.viewers.size).toBe(0);
  });

  it('close() ends open streams and answers new ones 503', async () => {
    const { gw, cam } = make();
    cam.push(frames[0]!);
    const reader = (await gw.app.request('/stream')).body!.getReader();
    await reader.read();
    gw.close();
    expect(gw.openStreams).toBe(0);
    expect(cam.activeViewers).toHaveLength(0);
    for (;;) if ((await reader.read()).done) break;
    const after = await gw.app.request('/stream');
    expect(after.status).toBe(503);
    expect((await json(after)).error).toBe('the gateway is shutting down');
  });
});

describe('bad requests', () => {
  it.each([
    ['/stream?fps=abc', 'fps'],
    ['/stream?fps=0', 'fps'],
    ['/stream?fps=-2', 'fps'],
    ['/cams/back/stream?fps=1e3', 'fps'],
    ['/stream?advance_headers=sometimes', 'advance_headers'],
    ['/snapshot?fresh=maybe', 'fresh'],
    ['/?action=record', 'action'],
    ['/control', 'var'],
  ])('%s → 400 JSON naming "%s"', async (path, parameter) => {
    const { gw, cam } = make();
    const res = await gw.app.request(path);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.parameter).toBe(parameter);
    expect(String(body.error)).toContain(parameter);
    expect(gw.openStreams).toBe(0);
    expect(cam.viewers.size).toBe(0);
  });

  it('unknown routes and methods → 404 JSON; unknown camera → 404 naming the known ones', async () => {
    const { gw } = make();
    const res = await gw.app.request('/nope');
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: 'no such endpoint: GET /nope' });
    expect((await gw.app.request('/stream', { method: 'POST' })).status).toBe(404);
    expect((await gw.app.request('/cams/front/nope')).status).toBe(404);
    for (const path of [
      '/cams/side/stream',
      '/cams/side/snapshot',
      '/cams/side/status',
      '/cams/side/control?var=x',
    ]) {
      const cam404 = await gw.app.request(path);
      expect(cam404.status).toBe(404);
      expect(await json(cam404)).toEqual({
        error: 'unknown camera "side"; known cameras: front, back',
        cameras: ['front', 'back'],
      });
    }
  });
});

describe('status', () => {
  it('reports version, uptime and every camera status', async () => {
    const { gw, cam } = make({ startedAt: Date.now() - 90_000 });
    cam.push(frames[0]!);
    cam.info = { model: 'ESP32-CAM' };
    const body = await json(await gw.app.request('/status'));
    expect(body.version).toBe('1.2.3');
    expect(body.uptime).toBeGreaterThanOrEqual(90);
    expect(body.uptime).toBeLessThan(200);
    const cams = body.cameras as Record<string, unknown>[];
    expect(cams.map((c) => c.name)).toEqual(['front', 'back']);
    expect(cams[0]).toMatchObject({
      name: 'front',
      online: true,
      frames: 1,
      info: { model: 'ESP32-CAM' },
      lastFrame: { index: 0, bytes: frames[0]!.length },
      controls: [
        { name: 'quality', kind: 'int', min: 4, max: 63 },
        { name: 'framesize', kind: 'enum' },
      ],
    });
    const one = await json(await gw.app.request('/cams/back/status'));
    expect(one).toMatchObject({ name: 'back', version: '1.2.3', frames: 0, lastFrame: null });
  });
});

describe('control', () => {
  it('GET and POST (query, form, JSON) call camera.control and answer {ok, reply}', async () => {
    const { gw, cam, other } = make();
    const a = await gw.app.request('/control?var=quality&val=10');
    expect(a.status).toBe(200);
    expect(await json(a)).toEqual({ ok: true, reply: 'ok quality=10' });
    await gw.app.request('/cams/back/control?var=framesize&val=VGA', { method: 'POST' });
    await gw.app.request('/control', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'var=framesize&val=QVGA',
    });
    const j = await gw.app.request('/control', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ var: 'quality', val: 12 }),
    });
    expect(await json(j)).toEqual({ ok: true, reply: 'ok quality=12' });
    expect(cam.controlCalls).toEqual([
      { variable: 'quality', value: '10' },
      { variable: 'framesize', value: 'QVGA' },
      { variable: 'quality', value: '12' },
    ]);
    expect(other.controlCalls).toEqual([{ variable: 'framesize', value: 'VGA' }]);
  });

  it('maps each ControlError kind to its status with {error, parameter?, supported?}', async () => {
    const { gw, cam } = make();
    const unsupported = await gw.app.request('/control?var=zoom&val=2');
    expect(unsupported.status).toBe(400);
    expect(await json(unsupported)).toEqual({
      error: 'unsupported variable "zoom"',
      parameter: 'var',
      supported: ['quality', 'framesize'],
    });
    const invalid = await gw.app.request('/control?var=quality&val=99');
    expect(invalid.status).toBe(400);
    expect(await json(invalid)).toEqual({
      error: 'bad value "99" for quality: expected an integer 4..63',
      parameter: 'val',
    });
    const kinds: [ControlErrorKind, number][] = [
      ['busy', 409],
      ['unavailable', 503],
      ['offline', 503],
      ['timeout', 504],
    ];
    for (const [kind, status] of kinds) {
      cam.controlHandler = async () => {
        throw new ControlError(kind, `failed: ${kind}`);
      };
      const res = await gw.app.request('/control?var=quality&val=10');
      expect(res.status).toBe(status);
      expect(await json(res)).toEqual({ error: `failed: ${kind}` });
    }
    cam.controlHandler = async () => {
      throw new Error('port exploded');
    };
    const boom = await gw.app.request('/control?var=quality&val=1');
    expect(boom.status).toBe(500);
    expect(await json(boom)).toEqual({ error: 'internal error: port exploded' });
  });

  it('400 for a malformed JSON body', async () => {
    const { gw } = make();
    const res = await gw.app.request('/control', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"var":',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).parameter).toBe('body');
  });
});

describe('auth and CORS', () => {
  it('with auth: 401 JSON + WWW-Authenticate without or with wrong credentials, 200 with the right ones', async () => {
    const { gw, cam } = make({ auth: { username: 'ann', password: 's3cret' } });
    cam.push(frames[0]!);
    for (const path of ['/status', '/snapshot', '/stream', '/', '/control?var=quality']) {
      const res = await gw.app.request(path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="cam-gateway"');
    }
    const wrong = await gw.app.request('/status', {
      headers: { authorization: `Basic ${Buffer.from('ann:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'authentication required (HTTP Basic)' });
    const ok = await gw.app.request('/snapshot', {
      headers: { authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` },
    });
    expect(ok.status).toBe(200);
  });

  it('CORS headers only when an origin is configured', async () => {
    const { gw: plain, cam: c1 } = make();
    c1.push(frames[0]!);
    const noCors = await plain.app.request('/snapshot', { headers: { origin: 'http://example.com' } });
    expect(noCors.headers.get('access-control-allow-origin')).toBeNull();

    const { gw, cam } = make({ cors: 'http://example.com' });
    cam.push(frames[0]!);
    const res = await gw.app.request('/snapshot', { headers: { origin: 'http://example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://example.com');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Timestamp');
    const preflight = await gw.app.request('/control', {
      method: 'OPTIONS',
      headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });
});

describe('viewer page', () => {
  it('GET / serves the viewer HTML naming every camera', async () => {
    const { gw } = make();
    const res = await gw.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('front');
    expect(html).toContain('back');
  });

  it('GET /assets/<file> serves the built scripts and stylesheet, revalidated; 404 JSON otherwise', async () => {
    const { gw } = make();
    const js = await gw.app.request('/assets/viewer.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(await js.text()).toContain("from './camera-card.js'");
    const css = await gw.app.request('/assets/viewer.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['/assets/nope.js', '/assets/index.html', '/assets/..%2Fpackage.json']) {
      const res = await gw.app.request(path);
      expect(res.status, path).toBe(404);
      expect((await json(res)).error).toMatch(/^no such endpoint/);
    }
  });
});

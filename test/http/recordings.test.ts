/**
 * The recording routes over a real socket: the index, downloads with Range,
 * nothing outside the folder reachable, clips (downloaded and saved) and
 * timelapse videos that ffprobe reads with the expected frames, and a 400
 * naming each bad parameter.
 */
import { mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Recordings } from '../../src/sinks/recording/recordings.js';
import { nowSeconds } from '../../src/stream/ring-buffer.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { fetchJson, startGateway, type TestGateway, waitFor } from '../helpers/http.js';
import { probePackets, probeStream } from '../helpers/media.js';
import { tempFolder } from '../helpers/recording.js';
import { describeWithTools } from '../helpers/tools.js';

const frames = fixtureFrames('qvga');
const folder = tempFolder('rec-http');
const dir = folder.dir;
const cam = new FakeCamera('front');
const recordings = new Recordings(
  [cam],
  {
    recording: { dir, segmentSeconds: 300, minFree: { bytes: 0 }, timelapseSeconds: 3600 },
    prerollSeconds: 5,
  },
  { logger: createLogger({ level: 'error', write: () => {} }) },
);
let gw: TestGateway;
let segmentPath = '';

/** GET `path` exactly as written (no URL normalisation on the way). */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Push `n` frames, ~30 fps, waiting for the recorder to have written them. */
async function pushFrames(n: number): Promise<void> {
  const before = recordings.status()!.cameras.front!.frames;
  for (let i = 0; i < n; i++) {
    cam.push(frames[i % frames.length]!);
    await new Promise((r) => setTimeout(r, 33));
  }
  await waitFor(() => recordings.status()!.cameras.front!.frames >= before + n, `${n} frames written`);
}

beforeAll(async () => {
  await recordings.start();
  gw = await startGateway({ cameras: [cam], version: '1', recordings });
  await pushFrames(40);
  segmentPath = recordings.status()!.cameras.front!.file!;
});

afterAll(async () => {
  await gw?.close();
  await recordings.stop();
  folder.remove();
});

describe('GET /recordings and the files', () => {
  it('lists each camera’s files with start, end, frames and bytes', async () => {
    const { status, body } = await fetchJson(`${gw.url}/recordings`);
    expect(status).toBe(200);
    expect(body.dir).toBe(dir);
    const front = (body.cameras as Record<string, { segments: Record<string, unknown>[] }>).front!;
    expect(front.segments).toHaveLength(1);
    const [segment] = front.segments;
    expect(segment).toMatchObject({ path: segmentPath, frames: 40, open: true });
    expect(segment!.end as number).toBeGreaterThan(segment!.start as number);
    expect(segment!.bytes).toBe(readFileSync(join(dir, segmentPath)).length);
  });

  it('serves a file whole, and any byte range of it (206), HEAD too', async () => {
    const onDisk = readFileSync(join(dir, segmentPath));
    const whole = await rawGet(`/recordings/${segmentPath}`);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/x-matroska');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(onDisk.subarray(0, whole.body.length))).toBe(true);
    expect(Number(whole.headers['content-length'])).toBe(whole.body.length);

    const part = await rawGet(`/recordings/${segmentPath}`, { Range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${whole.body.length}`);
    expect(part.body.equals(onDisk.subarray(100, 1100))).toBe(true);

    const tail = await rawGet(`/recordings/${segmentPath}`, { Range: 'bytes=-50' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(whole.body.subarray(whole.body.length - 50))).toBe(true);

    const head = await rawGet(`/recordings/${segmentPath}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(whole.headers['content-length']);
  });

  it('answers a range past the end with 416 and the size', async () => {
    const res = await rawGet(`/recordings/${segmentPath}`, { Range: 'bytes=99999999-' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toMatch(/^bytes \*\/\d+$/);
    expect(JSON.parse(res.body.toString()).error).toMatch(/range not satisfiable/);
  });

  it('reaches nothing outside the folder: .., encoded dots and slashes, symlinks → 404', async () => {
    const day = segmentPath.split('/')[1]!;
    // A symlink planted among the recordings, pointing out of the folder.
    symlinkSync('/etc/passwd', join(dir, 'front', day, '235959.mkv'));
    const outside = tempFolder('outside');
    mkdirSync(join(outside.dir, 'front', day), { recursive: true });
    writeFileSync(join(outside.dir, 'front', day, segmentPath.split('/')[2]!), 'secret');
    for (const path of [
      '/recordings/../../../../etc/passwd',
      '/recordings/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/recordings/front%2f..%2f..%2f..%2fetc%2fpasswd',
      '/recordings/front/..%2f..%2f..%2fetc/passwd',
      `/recordings/front/${day}/235959.mkv`,
      '/recordings/%00',
      '/recordings/front/%ff',
      `/recordings/${dir}/${segmentPath}`,
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString(), path).not.toContain('root:');
    }
    // The camera's folder swapped for a symlink to another tree: the listed path leads nowhere.
    renameSync(join(dir, 'front'), join(dir, 'front-real'));
    symlinkSync(join(outside.dir, 'front'), join(dir, 'front'));
    try {
      const res = await rawGet(`/recordings/${segmentPath}`);
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain('secret');
    } finally {
      unlinkSync(join(dir, 'front'));
      renameSync(join(dir, 'front-real'), join(dir, 'front'));
      outside.remove();
    }
  });
});

describeWithTools(['ffprobe', 'ffmpeg'], 'clips and timelapse', () => {
  it('GET /cams/NAME/clip?seconds=N returns the last N seconds as one file', async () => {
    // Once the frames pushed so far are older than the clip, 30 frames over the last second, stamped by
    // hand (a loaded machine cannot hold a timer to 30 fps).
    const lastPushed = cam.ring.latest()!.timestamp;
    await waitFor(() => nowSeconds() > lastPushed + 0.6, 'the earlier frames to be older than the clip');
    const end = nowSeconds();
    const times = Array.from({ length: 30 }, (_, k) => end - 0.99 + k / 30);
    for (const [k, t] of times.entries()) cam.ring.add(frames[k % frames.length]!, undefined, t);
    const asked = nowSeconds();
    const res = await rawGet('/cams/front/clip?seconds=0.5');
    const answered = nowSeconds();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('video/x-matroska');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="front-\d{4}-\d{2}-\d{2}-\d{6}\.mkv"$/,
    );
    // The frames of the half second before the request was served: between these two counts.
    const frameCount = Number(res.headers['x-clip-frames']);
    expect(frameCount).toBeGreaterThanOrEqual(times.filter((t) => t >= answered - 0.5).length);
    expect(frameCount).toBeLessThanOrEqual(times.filter((t) => t >= asked - 0.5).length);
    expect(frameCount).toBeGreaterThan(0);
    const file = join(dir, 'clip-get.mkv');
    writeFileSync(file, res.body);
    expect((await probeStream(file)).codec).toBe('mjpeg');
    const packets = await probePackets(file);
    expect(packets).toHaveLength(frameCount);
    const last = times.slice(-frameCount);
    for (const [k, p] of packets.entries())
      expect(Math.abs(p.pts - (last[k]! - last[0]!))).toBeLessThan(0.0002);
  });

  it('POST /cams/NAME/clip saves the clip into the folder and answers with its path', async () => {
    const { status, body } = await fetchJson(`${gw.url}/cams/front/clip?seconds=5`, { method: 'POST' });
    expect(status).toBe(201);
    expect(body.path).toMatch(/^front\/clips\/\d{4}-\d{2}-\d{2}\/\d{6}\.mkv$/);
    expect(body.file).toBe(join(dir, body.path as string));
    expect(await probePackets(body.file as string)).toHaveLength(body.frames as number);
    const list = await fetchJson(`${gw.url}/recordings`);
    const clips = (list.body.cameras as Record<string, { clips: { path: string }[] }>).front!.clips;
    expect(clips.map((c) => c.path)).toContain(body.path);
    const download = await rawGet(`/recordings/${body.path as string}`);
    expect(download.body.equals(readFileSync(body.file as string))).toBe(true);
  });

  it('GET /cams/NAME/timelapse plays the stored frames at ?fps= in the same container', async () => {
    const from = nowSeconds(); // the clock frames are stamped with
    for (let i = 0; i < 6; i++) {
      cam.push(frames[i]!);
      await recordings.service!.captureTimelapse();
      await recordings.service!.captureTimelapse(); // no new frame: nothing stored
    }
    const to = nowSeconds();
    expect(recordings.status()!.cameras.front!.timelapseFrames).toBe(6);
    const res = await rawGet(`/cams/front/timelapse?from=${from}&to=${to}&fps=10`);
    expect(res.status).toBe(200);
    expect(res.headers['x-timelapse-frames']).toBe('6');
    const file = join(dir, 'timelapse.mkv');
    writeFileSync(file, res.body);
    const packets = await probePackets(file);
    expect(packets.map((p) => p.pts)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(packets.map((p) => p.size)).toEqual(frames.slice(0, 6).map((f) => f.length));
    const all = await rawGet(`/cams/front/timelapse?from=${new Date(from * 1000).toISOString()}`);
    expect(all.headers['x-timelapse-frames']).toBe('6');
  });
});

describe('bad requests', () => {
  const cases: [string, string, number, string | undefined][] = [
    ['GET', '/cams/front/clip?seconds=abc', 400, 'seconds'],
    ['GET', '/cams/front/clip?seconds=0', 400, 'seconds'],
    ['GET', '/cams/front/clip?seconds=60', 400, 'seconds'],
    ['POST', '/cams/front/clip?seconds=-1', 400, 'seconds'],
    ['GET', '/cams/front/timelapse?from=yesterday', 400, 'from'],
    ['GET', '/cams/front/timelapse?to=2026-13-45T99:00', 400, 'to'],
    ['GET', '/cams/front/timelapse?from=2000&to=1000', 400, 'to'],
    ['GET', '/cams/front/timelapse?fps=0', 400, 'fps'],
    ['GET', '/cams/front/timelapse?to=1000', 404, undefined],
    ['GET', '/cams/nope/clip', 404, undefined],
    ['GET', '/recordings/front/nothing.mkv', 404, undefined],
  ];
  for (const [method, path, status, parameter] of cases) {
    it(`${method} ${path} → ${status}${parameter ? ` naming "${parameter}"` : ''}`, async () => {
      const res = await fetchJson(`${gw.url}${path}`, { method });
      expect(res.status).toBe(status);
      expect(typeof res.body.error).toBe('string');
      if (parameter) expect(res.body.parameter).toBe(parameter);
    });
  }

  it('an app without recording answers the recording routes 409, saying what to do', async () => {
    const bare = await startGateway({ cameras: [new FakeCamera('x')], version: '1' });
    try {
      const res = await fetchJson(`${bare.url}/recordings`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/recording is not set up/);
    } finally {
      await bare.close();
    }
  });

  it('everything is behind --auth like the rest', async () => {
    const locked = await startGateway({
      cameras: [cam],
      version: '1',
      recordings,
      auth: { username: 'u', password: 'p' },
    });
    try {
      for (const path of ['/recordings', `/recordings/${segmentPath}`, '/cams/front/clip', '/metrics']) {
        expect((await fetch(`${locked.url}${path}`)).status, path).toBe(401);
      }
      const ok = await fetch(`${locked.url}/recordings`, {
        headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
      });
      expect(ok.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

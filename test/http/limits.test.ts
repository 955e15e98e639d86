/**
 * What a client may send, over real sockets: a huge control body is cut off at 64 KB with a
 * 413 and the gateway's memory does not follow it (measured on a gateway process of its own),
 * a malformed multipart form is a 400 naming `body`, and an `fps` so small it would run a
 * timer per client every millisecond is a 400 naming `fps`.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONTROL_BODY_BYTES } from '../../src/http/app.js';
import { type CliRun, freePort, startCli } from '../helpers/cli.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { httpRequest, StreamClient, startGateway, type TestGateway } from '../helpers/http.js';

const frames = fixtureFrames();
let running: TestGateway[] = [];
afterEach(async () => {
  for (const g of running) await g.close();
  running = [];
});

async function serve(): Promise<{ g: TestGateway; cam: FakeCamera }> {
  const cam = new FakeCamera('cam0');
  cam.push(frames[0]!);
  const g = await startGateway({ cameras: [cam], version: '1' });
  running.push(g);
  return { g, cam };
}

describe('request parameters and bodies', () => {
  it.each(['0.0000001', '0.009', '0'])('/stream?fps=%s → 400 naming fps, no stream opened', async (fps) => {
    const { g, cam } = await serve();
    const res = await httpRequest(g.url, `/stream?fps=${fps}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: `"fps" must be a number of frames per second from 0.01 to 1000, got "${fps}"`,
      parameter: 'fps',
    });
    expect(cam.viewers.size).toBe(0);
  });

  it('/stream?fps=0.01 (the minimum) is a stream', async () => {
    const { g } = await serve();
    const s = await StreamClient.open(g.url, '/stream?fps=0.01');
    expect(s.status).toBe(200);
    await s.waitForParts(1);
    s.destroy();
  });

  it.each([
    ['a body that is not multipart', 'multipart/form-data; boundary=XYZ', 'this is not a form'],
    [
      'no boundary',
      'multipart/form-data',
      '--XYZ\r\nContent-Disposition: form-data; name="var"\r\n\r\nquality\r\n--XYZ--\r\n',
    ],
    [
      'a part cut short',
      'multipart/form-data; boundary=XYZ',
      '--XYZ\r\nContent-Disposition: form-data; name="var"\r\n\r\nqual',
    ],
  ])('a malformed multipart form (%s) → 400 naming body, nothing sent', async (_what, type, body) => {
    const { g, cam } = await serve();
    const res = await httpRequest(g.url, '/control', {
      method: 'POST',
      headers: { 'Content-Type': type },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.json?.parameter).toBe('body');
    expect(String(res.json?.error)).toMatch(/^request body is not a valid form/);
    expect(cam.controlCalls).toEqual([]);
  });

  it('a well-formed multipart form still sets the control', async () => {
    const { g, cam } = await serve();
    const body =
      '--XYZ\r\nContent-Disposition: form-data; name="var"\r\n\r\nquality\r\n' +
      '--XYZ\r\nContent-Disposition: form-data; name="val"\r\n\r\n10\r\n--XYZ--\r\n';
    const res = await httpRequest(g.url, '/control', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' },
      body,
    });
    expect(res.status).toBe(200);
    expect(cam.controlCalls).toEqual([{ variable: 'quality', value: '10' }]);
  });
});

/** VmRSS and VmHWM (peak) of a process, kB. */
function memoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** POST 400 MB to /control as fast as the socket takes it; stop when the server closes. */
async function postHuge(
  port: number,
  framing: 'content-length' | 'chunked',
): Promise<{ head: string; body: string; sent: number }> {
  const total = 400 * 2 ** 20;
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let response = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    response += d.toString('latin1');
  });
  socket.on('error', () => {}); // EPIPE / ECONNRESET once the server hangs up
  const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void gone.then(() => {
    closed = true;
  });
  const length = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`;
  socket.write(
    `POST /control HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${length}\r\n\r\n`,
  );
  const mb = Buffer.alloc(2 ** 20, 0x20);
  let sent = 0;
  while (sent < total && !closed) {
    const ok =
      framing === 'chunked'
        ? socket.write(Buffer.concat([Buffer.from('100000\r\n'), mb, Buffer.from('\r\n')]))
        : socket.write(mb);
    sent += mb.length;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), gone]);
  }
  socket.end();
  await gone;
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return { head, body, sent };
}

describe('a 400 MB control body', () => {
  let gateway: CliRun;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    gateway = startCli(['--demo', '--listen', `127.0.0.1:${port}`], {}, 'node');
    await gateway.waitFor(/open http:/);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it.each(['content-length', 'chunked'] as const)(
    'sent with %s: 413 JSON after 64 KB, the connection closed, the gateway’s memory stays where it was',
    async (framing) => {
      const pid = gateway.child.pid!;
      const before = memoryKb(pid);
      const { head, body, sent } = await postHuge(port, framing);
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
      expect(JSON.parse(body)).toEqual({
        error: `request body over ${MAX_CONTROL_BODY_BYTES} bytes`,
        parameter: 'body',
      });
      // The server hung up long before 400 MB: it does not read (or keep) what it refused.
      expect(sent).toBeLessThan(100 * 2 ** 20);
      const after = memoryKb(pid);
      expect(after.peak - before.rss, `peak RSS ${after.peak} kB, before ${before.rss} kB`).toBeLessThan(
        32 * 1024,
      );
      expect((await httpRequest(`http://127.0.0.1:${port}`, '/status')).status).toBe(200);
    },
  );
});

/**
 * HTTPS with a certificate made here by `openssl`: curl checks it for real
 * (`--cacert`, no `-k`) over HTTP/1.1 and HTTP/2 and reads an MJPEG stream
 * over HTTP/2; headless Chromium loads the viewer over HTTPS/2 with 8 live
 * `<img>` streams at once (more than HTTP/1.1's 6 connections per host allow);
 * and missing or wrong PEM files are one line naming the file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type GatewayApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { startCli } from '../helpers/cli.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { MultipartParser } from '../helpers/multipart.js';
import { tempFolder } from '../helpers/recording.js';
import { describeWithTools } from '../helpers/tools.js';

const run = promisify(execFile);
const frames = fixtureFrames('qvga');
const folder = tempFolder('tls');
const cert = join(folder.dir, 'cert.pem');
const key = join(folder.dir, 'key.pem');
const cameras = Array.from({ length: 8 }, (_, i) => new FakeCamera(`cam${i}`));
let app: GatewayApp;
let server: RunningServer;
let producer: NodeJS.Timeout | undefined;

/** curl against the gateway, trusting only the test's certificate. */
async function curl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const resolve = `localhost:${server.port}:127.0.0.1`;
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--cacert', cert, '--resolve', resolve, ...args], {
      encoding: 'latin1',
      maxBuffer: 32 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
  }
}

describeWithTools(['openssl', 'curl', 'chromium'], 'HTTPS and HTTP/2', () => {
  beforeAll(async () => {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    app = createApp({ cameras, version: 'tls' });
    server = await listen(app.app, { host: '127.0.0.1', port: 0, tls: { cert, key } });
    let k = 0;
    producer = setInterval(() => {
      for (const camera of cameras) camera.push(frames[k % frames.length]!);
      k++;
    }, 50);
  });

  afterAll(async () => {
    clearInterval(producer);
    app?.close();
    await server?.close();
    folder.remove();
  });

  it('serves HTTPS that curl verifies, as HTTP/2 when offered and HTTP/1.1 otherwise', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    const url = `https://localhost:${server.port}/status`;
    const h2 = await curl(['--http2', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', url]);
    expect(h2.stderr).toBe('');
    expect(h2.stdout).toBe('2 200');
    const h1 = await curl(['--http1.1', '-w', '\n%{http_version} %{http_code}', url]);
    expect(h1.stdout.split('\n').at(-1)).toBe('1.1 200');
    expect(JSON.parse(h1.stdout.split('\n')[0]!).cameras).toHaveLength(8);
  });

  it('streams MJPEG over HTTP/2 (no connection headers, parts as over HTTP/1.1)', async () => {
    const body = join(folder.dir, 'stream.bin');
    const res = await curl([
      '--http2',
      '-N',
      '--max-time',
      '1.5',
      '-D',
      '-',
      '-o',
      body,
      `https://localhost:${server.port}/cams/cam3/stream`,
    ]);
    expect(res.code).toBe(28); // curl stopped it: a stream does not end by itself
    const head = res.stdout.toLowerCase();
    expect(head).toMatch(/^http\/2 200/);
    expect(head).toContain('content-type: multipart/x-mixed-replace; boundary=frame');
    expect(head).not.toContain('connection:');
    const parts = new MultipartParser('frame').push(readFileSync(body));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    for (const part of parts) {
      expect(frames.some((f) => f.equals(part.body))).toBe(true);
      expect(part.headers['x-timestamp']).toMatch(/^\d+\.\d{6}$/);
    }
  });

  it('Chromium shows the viewer over HTTPS with all 8 cameras live: over its WebSocket, and over 8 HTTP/2 <img> streams when the socket is blocked', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--ignore-certificate-errors',
      ],
    });
    try {
      // The page's own transport: one WebSocket (over TLS) carries every camera.
      const page = await browser.newPage();
      await page.goto(`https://127.0.0.1:${server.port}/`);
      const frameIndexes = (): Promise<number[]> =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLImageElement>('img.live'), (img) =>
            img.naturalWidth === 320 ? Number(img.dataset.frameIndex ?? -1) : -1,
          ),
        );
      await expect
        .poll(async () => (await frameIndexes()).filter((i) => i >= 0).length, { timeout: 15_000 })
        .toBe(8);
      const first = await frameIndexes();
      await expect
        .poll(async () => (await frameIndexes()).every((i, k) => i > first[k]!), { timeout: 10_000 })
        .toBe(true);
      await page.close();

      // Without the socket (a proxy that does not pass WebSockets on), the page falls back to <img src=stream>:
      // over HTTP/2 there is no 6-connections-per-host limit, so all 8 stream live at once.
      const fallback = await browser.newPage();
      await fallback.routeWebSocket(/\/ws$/, (ws) => void ws.close());
      await fallback.goto(`https://127.0.0.1:${server.port}/`);
      expect(
        await fallback.evaluate(
          () =>
            (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
        ),
      ).toBe('h2');
      await fallback.waitForFunction(
        () => {
          const imgs = Array.from(document.querySelectorAll<HTMLImageElement>('img.live'));
          return (
            imgs.length === 8 && imgs.every((img) => img.src.endsWith('/stream') && img.naturalWidth === 320)
          );
        },
        undefined,
        { timeout: 15_000 },
      );
      await expect.poll(() => app.openStreams, { timeout: 10_000 }).toBe(8);
      // …and all 8 keep getting frames at the same time.
      const sent = (): number[] =>
        cameras.map((c) => c.activeViewers.find((v) => v.kind === 'stream')?.frames ?? 0);
      const before = sent();
      await expect.poll(() => sent().every((n, i) => n >= before[i]! + 10), { timeout: 10_000 }).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('a missing or wrong PEM file is one line naming it (library and CLI, exit 1)', async () => {
    await expect(
      listen(app.app, { host: '127.0.0.1', port: 0, tls: { cert: join(folder.dir, 'nope.pem'), key } }),
    ).rejects.toThrow(
      `cannot read the TLS certificate ${join(folder.dir, 'nope.pem')} (--tls-cert): no such file`,
    );
    await expect(listen(app.app, { host: '127.0.0.1', port: 0, tls: { cert: key, key } })).rejects.toThrow(
      `the TLS certificate ${key} (--tls-cert) is not a PEM certificate`,
    );
    const other = join(folder.dir, 'other-key.pem');
    await run('openssl', [
      'genpkey',
      '-algorithm',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-out',
      other,
    ]);
    await expect(listen(app.app, { host: '127.0.0.1', port: 0, tls: { cert, key: other } })).rejects.toThrow(
      `the TLS key ${other} (--tls-key) does not belong to the certificate ${cert}`,
    );
    const cli = startCli(
      ['--demo', '--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', join(folder.dir, 'gone.pem')],
      {},
      'node',
    );
    expect(await cli.exited).toBe(1);
    expect(cli.stderr.trim()).toBe(
      `cam-gateway: cannot read the TLS key ${join(folder.dir, 'gone.pem')} (--tls-key): no such file`,
    );
  });
});

/**
 * DNS rebinding and cross-site requests, over real sockets with the headers browsers send:
 * a request addressed to a name the gateway does not know as its own is refused whatever it
 * asks for, and a browser request from another site may not change a setting, while curl,
 * scripts and the gateway's own page still can.
 */
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { httpRequest, startGateway, type TestGateway } from '../helpers/http.js';

const frames = fixtureFrames();
let running: TestGateway[] = [];

afterEach(async () => {
  for (const g of running) await g.close();
  running = [];
});

async function serve(
  options: Partial<AppOptions> = {},
): Promise<{ g: TestGateway; cam: FakeCamera; log: string[] }> {
  const cam = new FakeCamera('cam0');
  cam.push(frames[0]!);
  const log: string[] = [];
  const g = await startGateway({
    cameras: [cam],
    version: '1',
    logger: createLogger({ level: 'warn', write: (line) => log.push(line) }),
    ...options,
  });
  running.push(g);
  return { g, cam, log };
}

describe('Host check (DNS rebinding)', () => {
  const refused = [
    'rebind.evil.example',
    'rebind.evil.example:8080',
    '127.0.0.1.nip.io',
    'localhost.evil.example',
    'evil.example.',
  ];
  it.each(refused)(
    'Host: %s → 403 JSON for frames, status, the page and controls; the camera sees nothing',
    async (host) => {
      const { g, cam } = await serve();
      for (const path of [
        '/status',
        '/snapshot',
        '/stream',
        '/cams/cam0/status',
        '/',
        '/control?var=quality&val=10',
      ]) {
        const res = await httpRequest(g.url, path, { headers: { Host: host } });
        expect(res.status, path).toBe(403);
        expect(res.json).toMatchObject({
          header: 'host',
          host: host.replace(/:\d+$/, '').replace(/\.$/, ''),
        });
        expect(String(res.json?.error)).toContain('--allow-host');
      }
      expect(cam.controlCalls).toEqual([]);
      expect(cam.viewers.size).toBe(0);
    },
  );

  it('the exact attack of the issue: Origin evil, Host rebind → 403, the device gets no command', async () => {
    const { g, cam } = await serve();
    const res = await httpRequest(g.url, '/control?var=stream&val=0', {
      headers: { Host: 'rebind.evil.example:8080', Origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(cam.controlCalls).toEqual([]);
  });

  const allowed = [
    '127.0.0.1',
    'localhost',
    'localhost.',
    '[::1]',
    'cam.localhost',
    '192.0.2.7',
    '[fd00::2]',
    hostname(),
    `${hostname()}.local`,
  ];
  it.each(allowed)('Host: %s (an address, a loopback name or this machine) is served', async (host) => {
    const { g } = await serve();
    const port = new URL(g.url).port;
    for (const value of [host, `${host}:${port}`]) {
      const res = await httpRequest(g.url, '/status', { headers: { Host: value } });
      expect(res.status, value).toBe(200);
    }
  });

  it('--allow-host names are served (any case, trailing dot); * serves any name', async () => {
    const { g } = await serve({ allowHosts: ['cam.example.com'] });
    for (const host of ['cam.example.com', 'CAM.Example.com.', 'cam.example.com.:8080']) {
      expect((await httpRequest(g.url, '/status', { headers: { Host: host } })).status, host).toBe(200);
    }
    expect((await httpRequest(g.url, '/status', { headers: { Host: 'other.example.com' } })).status).toBe(
      403,
    );
    const any = await serve({ allowHosts: ['*'] });
    expect((await httpRequest(any.g.url, '/status', { headers: { Host: 'whatever.example' } })).status).toBe(
      200,
    );
  });

  it('logs a refused name once, however often it comes', async () => {
    const { g, log } = await serve();
    for (let i = 0; i < 5; i++)
      await httpRequest(g.url, '/status', { headers: { Host: 'rebind.evil.example' } });
    await httpRequest(g.url, '/snapshot', { headers: { Host: 'other.evil.example' } });
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(
      /^warn: refused GET \/status \(403\): requests addressed to "rebind\.evil\.example"/,
    );
    expect(log[1]).toMatch(/"other\.evil\.example"/);
  });
});

describe('cross-site requests that change settings', () => {
  const own = (g: TestGateway): string => g.url;

  it('curl and scripts (no browser headers) still change settings with GET /control', async () => {
    const { g, cam } = await serve();
    const res = await httpRequest(g.url, '/control?var=quality&val=10');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, reply: 'ok quality=10' });
    expect(cam.controlCalls).toEqual([{ variable: 'quality', value: '10' }]);
  });

  it.each([
    [
      'an <img> from another site (Sec-Fetch-Site: cross-site, no Origin)',
      { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'image' },
      'sec-fetch-site',
    ],
    [
      'another port of the same host (Sec-Fetch-Site: same-site)',
      { 'Sec-Fetch-Site': 'same-site' },
      'sec-fetch-site',
    ],
    ['a browser without fetch metadata, Origin of another site', { Origin: 'http://evil.example' }, 'origin'],
    ['a sandboxed page (Origin: null)', { Origin: 'null' }, 'origin'],
    [
      'a browser without fetch metadata, Referer of another site',
      { Referer: 'http://evil.example/page.html' },
      'referer',
    ],
    [
      'cross-site with a Referer',
      { 'Sec-Fetch-Site': 'cross-site', Referer: 'http://evil.example/' },
      'sec-fetch-site',
    ],
  ])('GET /control from %s → 403 JSON, nothing sent', async (_what, headers, header) => {
    const { g, cam } = await serve();
    for (const path of ['/control?var=quality&val=10', '/cams/cam0/control?var=quality&val=10']) {
      const res = await httpRequest(g.url, path, { headers });
      expect(res.status, path).toBe(403);
      expect(res.json?.header).toBe(header);
      expect(String(res.json?.error)).toMatch(/may not change camera settings/);
    }
    expect(cam.controlCalls).toEqual([]);
  });

  it('a browser that shows no origin at all (a LAN address over HTTP gets no Sec-Fetch-Site; referrer suppressed) → 403; curl and Python → 200', async () => {
    const { g, cam } = await serve();
    const browser = await httpRequest(g.url, '/control?var=quality&val=10', {
      headers: {
        'User-Agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
        Accept: 'image/avif,image/webp,*/*',
      },
    });
    expect(browser.status).toBe(403);
    expect(browser.json?.header).toBe('referer');
    for (const agent of ['curl/8.5.0', 'python-requests/2.31.0', 'Lavf/60.16.100']) {
      const res = await httpRequest(g.url, '/control?var=quality&val=11', {
        headers: { 'User-Agent': agent },
      });
      expect(res.status, agent).toBe(200);
    }
    expect(cam.controlCalls).toHaveLength(3);
  });

  it('a form POSTed from another site → 403, also to a route that changes nothing; the device gets nothing', async () => {
    const { g, cam } = await serve();
    const form = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: 'http://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    };
    const res = await httpRequest(g.url, '/control', {
      method: 'POST',
      headers: form,
      body: 'var=stream&val=0',
    });
    expect(res.status).toBe(403);
    expect(res.json?.error).toBe(
      'a page on another site (http://evil.example) may not change camera settings (to let pages on http://evil.example change settings, start the gateway with --cors http://evil.example)',
    );
    expect((await httpRequest(g.url, '/stream', { method: 'POST', headers: form, body: 'x' })).status).toBe(
      403,
    );
    expect(cam.controlCalls).toEqual([]);
  });

  it("the gateway's own page (same origin), the address bar, and old browsers on the same origin pass", async () => {
    const { g, cam } = await serve();
    const cases: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'same-origin', Origin: own(g) },
      { 'Sec-Fetch-Site': 'none' },
      { Origin: own(g) },
      { Referer: `${own(g)}/` },
    ];
    for (const headers of cases) {
      const res = await httpRequest(g.url, '/control?var=quality&val=11', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
    const post = await httpRequest(g.url, '/control', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: own(g), 'Sec-Fetch-Site': 'same-origin' },
      body: JSON.stringify({ var: 'quality', val: 12 }),
    });
    expect(post.status).toBe(200);
    expect(cam.controlCalls).toHaveLength(5);
  });

  it('reading from another site is not refused: frames and status are not state changes', async () => {
    const { g } = await serve();
    const headers = { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.example' };
    expect((await httpRequest(g.url, '/status', { headers })).status).toBe(200);
    expect((await httpRequest(g.url, '/snapshot', { headers })).status).toBe(200);
  });

  it('--cors ORIGIN lets that origin change settings; --cors * lets any page read but not write', async () => {
    const named = await serve({ cors: 'http://dash.example' });
    const ok = await httpRequest(named.g.url, '/control?var=quality&val=10', {
      headers: { Origin: 'http://dash.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://dash.example');
    const img = await httpRequest(named.g.url, '/control?var=quality&val=11', {
      headers: { Referer: 'http://dash.example/wall.html', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(img.status).toBe(200);
    const other = await httpRequest(named.g.url, '/control?var=quality&val=12', {
      headers: { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(other.status).toBe(403);
    expect(named.cam.controlCalls).toHaveLength(2);

    const star = await serve({ cors: '*' });
    const read = await httpRequest(star.g.url, '/status', { headers: { Origin: 'http://evil.example' } });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe('*');
    const write = await httpRequest(star.g.url, '/control?var=quality&val=10', {
      headers: { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(write.status).toBe(403);
    expect(star.cam.controlCalls).toEqual([]);
  });
});

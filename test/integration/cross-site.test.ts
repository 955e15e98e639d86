/**
 * The gateway against hostile pages in a real headless Chromium. The camera is a real `Camera`
 * on a `SerialSource` whose port is a CAMF device on the mock binding, recording every command
 * it receives; the server counts every request it answered, with its status.
 *
 * - A page on another site (a second HTTP server, opened as `localhost` while the gateway is
 *   `127.0.0.1`) tries an `<img src=…/control?…>`, a form POST and two `fetch`es: each reaches
 *   the gateway and is answered 403; the device receives nothing.
 * - The same against the gateway's LAN address over plain HTTP, where the browser sends no
 *   `Sec-Fetch-Site`, with every referrer suppressed: still 403, still nothing.
 * - A DNS-rebinding page (`rebind.evil.example`, mapped to 127.0.0.1 by the browser's resolver,
 *   the attacker's document served on the gateway's own port) reads status and frames and
 *   changes a setting same-origin: every request is refused. Chromium's own Local Network
 *   Access checks would stop this page first; they are turned off for that browser, to stand
 *   for browsers without them (Firefox, Safari, older Chrome).
 * - The gateway's own page still changes settings.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Camera } from '../../src/camera/camera.js';
import { resolveCamera } from '../../src/config.js';
import { createApp, type GatewayApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { SerialSource } from '../../src/source/serial.js';
import { until } from '../helpers/cli.js';
import { type FakeDevice, fakeDeviceBinding, MockBinding } from '../helpers/fake-devices.js';
import { describeWithTools } from '../helpers/tools.js';

const PORT_PATH = '/dev/ttyCROSSSITE';
const REBIND_HOST = 'rebind.evil.example';
const CHROMIUM = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** This machine's first non-loopback IPv4 address, if it has one (the "LAN address"). */
const LAN = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

let browser: Browser;
let camera: Camera;
let gateway: GatewayApp;
let server: RunningServer;
let attacker: Server;
let attackerPort: number;
/** The page the attacker's server sends, set by each test. */
let attackHtml = '';
const device: FakeDevice = { kind: 'camf', received: [] };
/** `METHOD path status` of every request the gateway answered. */
const answered: string[] = [];

/** Every way a page can make a browser send a request to another site, with no referrer at all. */
function attackPage(target: string): string {
  return `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>cats</title>
<img src="${target}/control?var=quality&amp;val=10">
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${target}/control" target="sink">
  <input name="var" value="quality"><input name="val" value="11">
</form>
<script>
  document.getElementById('f').submit();
  fetch('${target}/control?var=quality&val=12', { mode: 'no-cors' });
  fetch('${target}/control', { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ var: 'quality', val: '13' }) });
</script>`;
}

/** Open the attacker's page aimed at `target`; resolve with the gateway's answers to its four requests. */
async function attack(target: string): Promise<string[]> {
  attackHtml = attackPage(target);
  const from = answered.length;
  const page = await browser.newPage();
  try {
    await page.goto(`http://localhost:${attackerPort}/`);
    const mine = (): string[] => answered.slice(from).filter((a) => a.includes(' /control'));
    await until('the four attempts to be answered', () => mine().length >= 4, 8000);
    return mine()
      .map((a) => a.replace(/\?.*? /, ' '))
      .sort();
  } finally {
    await page.close();
  }
}

describeWithTools(['chromium'], 'hostile pages against the gateway in Chromium', () => {
  beforeAll(async () => {
    MockBinding.createPort(PORT_PATH, { echo: false, record: false });
    const source = new SerialSource({
      path: PORT_PATH,
      baudRate: 921_600,
      binding: fakeDeviceBinding(new Map([[PORT_PATH, device]])),
    });
    camera = new Camera(resolveCamera({ name: 'cam0', port: PORT_PATH, protocol: 'camf' }, 0).settings, {
      source,
    });
    await camera.start();
    // As createGateway builds it for `--listen 0.0.0.0:PORT`, without --auth.
    gateway = createApp({
      cameras: [camera],
      version: 'test',
      allowHosts: ['0.0.0.0'],
      logger: createLogger({ level: 'error' }),
    });
    server = await listen(gateway.app, { host: '0.0.0.0', port: 0 });
    server.server.on('request', (req, res) => {
      res.once('finish', () => answered.push(`${req.method} ${req.url} ${res.statusCode}`));
    });
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(attackHtml);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    gateway?.close();
    await server?.close();
    await camera?.stop();
    MockBinding.reset();
  });

  it('a page on another site: <img>, a form POST and fetch reach the gateway on 127.0.0.1, all 403, the device gets nothing', async () => {
    const before = [...device.received];
    expect(await attack(`http://127.0.0.1:${server.port}`)).toEqual([
      'GET /control 403',
      'GET /control 403',
      'POST /control 403',
      'POST /control 403',
    ]);
    expect(device.received).toEqual(before);
  });

  it.runIf(LAN !== undefined)(
    'the same against the LAN address over HTTP (no Sec-Fetch-Site, no referrer): all 403, the device gets nothing',
    async () => {
      const before = [...device.received];
      expect(await attack(`http://${LAN}:${server.port}`)).toEqual([
        'GET /control 403',
        'GET /control 403',
        'POST /control 403',
        'POST /control 403',
      ]);
      expect(device.received).toEqual(before);
    },
  );

  it('a DNS-rebinding page on the gateway’s own port reads nothing and changes nothing', async () => {
    const before = [...device.received];
    const rebinding = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        ...CHROMIUM,
        `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`,
        '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
      ],
    });
    try {
      const page = await rebinding.newPage();
      const origin = `http://${REBIND_HOST}:${server.port}`;
      // The attacker's document, as the attacker's server sent it before pointing the name at 127.0.0.1.
      await page.route(`${origin}/cats.html`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>cats</title>' }),
      );
      await page.goto(`${origin}/cats.html`);
      const answers = await page.evaluate(async () => {
        const out: string[] = [];
        for (const path of ['/status', '/snapshot', '/cams/cam0/status', '/control?var=quality&val=14']) {
          const res = await fetch(path);
          const body = (await res.json()) as { header?: string };
          out.push(`${path} ${res.status} ${body.header}`);
        }
        return out;
      });
      expect(answers).toEqual([
        '/status 403 host',
        '/snapshot 403 host',
        '/cams/cam0/status 403 host',
        '/control?var=quality&val=14 403 host',
      ]);
    } finally {
      await rebinding.close();
    }
    expect(device.received).toEqual(before);
  });

  it('the gateway’s own page still changes settings, and the device gets the command', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    const answer = await page.evaluate(async () => {
      const res = await fetch('control?var=quality&val=20', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    });
    expect(answer).toEqual({ status: 200, body: { ok: true, reply: 'ok quality=20' } });
    expect(device.received).toContain('quality=20');
    await page.close();
  });
});

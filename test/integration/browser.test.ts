/**
 * The viewer page in a real headless Chromium against the real app on a real
 * socket, with a FakeCamera fed the QVGA fixtures every 50 ms. Everything waits
 * on conditions (Playwright's waitForFunction, vitest's expect.poll), never on
 * fixed sleeps.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createApp, type GatewayApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { type CameraStatus, ControlError } from '../../src/stream/camera-api.js';
import type { RingbufferEntry } from '../../src/stream/ring-buffer.js';
import { FakeCamera, type FakeCameraOptions, fixtureFrames } from '../helpers/fake-camera.js';
import { describeWithTools } from '../helpers/tools.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
const FRAMES = fixtureFrames('qvga');
const WAIT = { timeout: 8000 };

/** A FakeCamera that also reports the rates a real Camera measures (received fps, kB/s over the last 2 s). */
class LiveCamera extends FakeCamera {
  readonly #recent: { at: number; bytes: number }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(name: string, options: FakeCameraOptions = {}) {
    super(name, options);
  }

  override push(jpeg: Buffer, deviceTimeUs?: number): RingbufferEntry {
    const now = performance.now();
    this.#recent.push({ at: now, bytes: jpeg.length });
    while (this.#recent.length > 0 && this.#recent[0]!.at < now - 2000) this.#recent.shift();
    return super.push(jpeg, deviceTimeUs);
  }

  override status(): CameraStatus {
    const s = super.status();
    const since = performance.now() - 2000;
    const recent = this.#recent.filter((r) => r.at >= since);
    s.fps = { received: recent.length / 2, served: s.fps.served };
    s.kBps = recent.reduce((n, r) => n + r.bytes, 0) / 2 / 1000;
    return s;
  }

  /** Play a device sending a frame every `ms` while online. */
  produce(ms = 50): void {
    let k = 0;
    this.#timer = setInterval(() => {
      if (this.online) this.push(FRAMES[k++ % FRAMES.length]!);
    }, ms);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

interface Served {
  cameras: LiveCamera[];
  gateway: GatewayApp;
  server: RunningServer;
}

async function serve(cameras: LiveCamera[], auth?: { username: string; password: string }): Promise<Served> {
  const gateway = createApp(auth ? { cameras, version: 'test', auth } : { cameras, version: 'test' });
  const server = await listen(gateway.app, { host: '127.0.0.1', port: 0 });
  for (const camera of cameras) camera.produce();
  return { cameras, gateway, server };
}

async function unserve(s: Served | undefined): Promise<void> {
  if (!s) return;
  for (const camera of s.cameras) camera.stop();
  s.gateway.close();
  await s.server.close();
}

/** Text of a camera card's statistic (`frames`, `shown`, `size` …). */
function stat(page: Page, name: string, card = 0): Promise<string> {
  return text(page.locator(`[data-cam-index="${card}"] [data-stat="${name}"]`));
}

/** What an element shows as text. */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

let browser: Browser;
let served: Served | undefined;

describeWithTools(['chromium'], 'viewer page in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await unserve(served);
    served = undefined;
  });

  it('paints the live image, updates stats, follows online/offline, drives controls, saves snapshots', async () => {
    const camera = new LiveCamera('desk', { controls: [] });
    camera.info = { model: 'ESP32-CAM', sensor: 'OV2640', firmware: '1.0.0', framesize: 'QVGA', quality: 10 };
    camera.logs = ['boot: camera init ok', 'wifi: disabled (serial mode)', 'stream: started, 20 fps'];
    served = await serve([camera]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(served.server.url);

    // The <img> shows the camera's picture at its real size.
    await page.waitForFunction(
      () => document.querySelector<HTMLImageElement>('img.live')!.naturalWidth > 0,
      null,
      WAIT,
    );
    const size = await page.$eval('img.live', (img) => [
      (img as HTMLImageElement).naturalWidth,
      (img as HTMLImageElement).naturalHeight,
    ]);
    expect(size).toEqual([320, 240]);
    await expect.poll(() => stat(page, 'size'), WAIT).toBe('320×240');

    // Online badge, and the stats move without a reload.
    const badge = page.locator('[data-cam-index="0"] .badge');
    await expect.poll(() => text(badge), WAIT).toBe('online');
    const frames1 = Number((await stat(page, 'frames')).replace(/,/g, ''));
    await expect
      .poll(async () => Number((await stat(page, 'frames')).replace(/,/g, '')), WAIT)
      .toBeGreaterThan(frames1);
    await expect.poll(async () => Number.parseFloat(await stat(page, 'fps')), WAIT).toBeGreaterThan(0);
    await expect.poll(async () => Number.parseFloat(await stat(page, 'shown')), WAIT).toBeGreaterThan(0);
    await expect.poll(async () => Number.parseFloat(await stat(page, 'kbps')), WAIT).toBeGreaterThan(0);
    await expect.poll(() => text(page.locator('.log')), WAIT).toContain('stream: started');
    await expect.poll(() => text(page.locator('.kv')), WAIT).toContain('OV2640');

    // No controls while the camera lists none.
    expect(await page.locator('.controls').isHidden()).toBe(true);
    expect(await page.locator('select, input[type="range"]').count()).toBe(0);

    // The camera starts accepting framesize and quality: matching controls appear and reach the camera.
    camera.supportedControls = ['framesize', 'quality', 'hmirror'];
    await page.locator('.controls').waitFor({ state: 'visible', ...WAIT });
    const framesize = page.getByLabel('Resolution');
    expect(await framesize.inputValue()).toBe('QVGA'); // preselected from the device info
    await framesize.selectOption('VGA');
    await expect
      .poll(() => camera.controlCalls, WAIT)
      .toContainEqual({ variable: 'framesize', value: 'VGA' });
    await expect.poll(() => text(page.locator('.ctl-out')), WAIT).toContain('ok framesize=VGA');

    const quality = page.getByLabel('JPEG quality');
    expect(await quality.inputValue()).toBe('10');
    await quality.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => camera.controlCalls, WAIT).toContainEqual({ variable: 'quality', value: '11' });

    await page.getByLabel('Mirror').check();
    await expect.poll(() => camera.controlCalls, WAIT).toContainEqual({ variable: 'hmirror', value: '1' });

    // A refused value shows the gateway's JSON error.
    camera.controlHandler = async () => {
      throw new ControlError('"framesize" must be one of QQVGA … QSXGA', 400);
    };
    await framesize.selectOption('UXGA');
    await expect.poll(() => text(page.locator('.ctl-out')), WAIT).toContain('400');
    expect(await page.locator('.ctl-out').getAttribute('data-state')).toBe('error');
    expect(await framesize.inputValue()).toBe('VGA'); // back to what the camera still uses

    // Snapshot button downloads the current JPEG under a timestamped name.
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.getByRole('button', { name: 'Snapshot' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^desk-\d{8}-\d{6}\.jpg$/);
    const saved = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of saved) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer.png') });

    // The camera goes away: offline badge and the no-signal card; then it comes back.
    camera.online = false;
    await expect.poll(() => text(badge), WAIT).toBe('offline');
    expect(await page.locator('.nosignal').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-offline.png') });
    camera.online = true;
    await expect.poll(() => text(badge), WAIT).toBe('online');
    expect(await page.locator('.nosignal').isVisible()).toBe(false);
    await page.close();
  });

  it('shows several cameras as a grid behind HTTP Basic auth, live streams within the browser connection limit', async () => {
    const auth = { username: 'maker', password: 's3cret' };
    const names = ['front <door>', 'garage', 'attic', 'yard', 'shed'];
    const cameras = names.map((name) => new LiveCamera(name));
    served = await serve(cameras, auth);
    const context = await browser.newContext({
      httpCredentials: auth,
      viewport: { width: 1280, height: 640 },
    });
    const page = await context.newPage();
    await page.goto(served.server.url);
    // Every tile shows its picture: four live streams, the fifth as refreshed snapshots.
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll<HTMLImageElement>('img.live')).every(
          (img) => img.naturalWidth === 320,
        ),
      null,
      WAIT,
    );
    expect(await page.locator('img.live').count()).toBe(5);
    // The hostile name is shown as text, not markup.
    expect(await text(page.locator('[data-cam-index="0"] h2'))).toBe('front <door>');
    // Status polling carries the credentials too: every badge goes online.
    await expect
      .poll(() => page.locator('.badge').allTextContents(), WAIT)
      .toEqual(names.map(() => 'online'));
    expect(await text(page.locator('.lock'))).toContain('password protected');
    const streaming = (camera: LiveCamera): boolean => camera.activeViewers.some((v) => v.kind === 'stream');
    expect(cameras.map(streaming)).toEqual([true, true, true, true, false]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-grid.png') });

    // "Watch live" on the fifth tile swaps it with the oldest live one.
    await page.locator('[data-cam-index="4"]').getByRole('button', { name: 'Watch live' }).click();
    await expect.poll(() => cameras.map(streaming), WAIT).toEqual([false, true, true, true, true]);
    expect(await page.locator('[data-cam-index="4"] .go-live').isHidden()).toBe(true);
    expect(await page.locator('[data-cam-index="0"] .go-live').isVisible()).toBe(true);
    await context.close();
  });
});

/**
 * What the viewer page's Chromium tests share: headless Chromium launched as the
 * suite launches it, a FakeCamera that plays a device (frames on a timer, the
 * rates a real Camera reports), and the real app served on a real socket.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { CameraStatus } from '../../src/camera/status.js';
import { createApp, type GatewayApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import type { RingbufferEntry } from '../../src/stream/ring-buffer.js';
import { FakeCamera, type FakeCameraOptions, fixtureFrames } from './fake-camera.js';

const FRAMES = fixtureFrames('qvga');

/** Headless Chromium from /usr/bin/chromium (declare the tool with `describeWithTools(['chromium'], …)`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A FakeCamera that also reports the rates a real Camera measures (received fps, kB/s over the last 2 s). */
export class LiveCamera extends FakeCamera {
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

export interface Served {
  cameras: LiveCamera[];
  gateway: GatewayApp;
  server: RunningServer;
}

/** The real app over these cameras on a real socket (`port` 0: any free one), each camera producing a frame every `frameMs`. */
export async function serve(
  cameras: LiveCamera[],
  auth?: { username: string; password: string },
  frameMs = 50,
  port = 0,
): Promise<Served> {
  const gateway = createApp(auth ? { cameras, version: 'test', auth } : { cameras, version: 'test' });
  const server = await listen(gateway.app, { host: '127.0.0.1', port });
  for (const camera of cameras) camera.produce(frameMs);
  return { cameras, gateway, server };
}

export async function unserve(s: Served | undefined): Promise<void> {
  if (!s) return;
  for (const camera of s.cameras) camera.stop();
  s.gateway.close();
  await s.server.close();
}

/** The page's WebSocket URLs and its MJPEG stream requests, as they happen. */
export function watchConnections(page: Page): { sockets: string[]; streams: string[] } {
  const seen = { sockets: [] as string[], streams: [] as string[] };
  page.on('websocket', (ws) => seen.sockets.push(ws.url()));
  page.on('request', (request) => {
    if (/\/stream(\?|$)/.test(request.url())) seen.streams.push(request.url());
  });
  return seen;
}

/** Wait until every card's picture is `width` pixels wide (every camera shows an image). */
export async function everyPicture(page: Page, width: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    (w) =>
      Array.from(document.querySelectorAll<HTMLImageElement>('img.live')).every(
        (img) => img.naturalWidth === w,
      ),
    width,
    { timeout },
  );
}

/** One browser for a test file, and the app each test serves (stopped after it). */
export interface ChromiumSession {
  readonly browser: Browser;
  served: Served | undefined;
}

/** Call inside `describeWithTools(['chromium'], …)`: launches Chromium once, stops each test's app after it. */
export function useChromium(): ChromiumSession {
  let browser: Browser | undefined;
  const session: ChromiumSession = {
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not launched (useChromium() outside describeWithTools?)');
      return browser;
    },
    served: undefined,
  };
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await unserve(session.served);
    session.served = undefined;
  });
  return session;
}

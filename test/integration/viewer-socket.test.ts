/**
 * The viewer page's one WebSocket in a real headless Chromium against the real app on a real
 * socket: many cameras in many tabs all stay live (MJPEG `<img>`s would need a connection each,
 * and browsers allow ~6 per host), a page that draws slowly is sent only what it draws and so
 * shows fresh frames, and a page whose socket is blocked falls back to MJPEG streams, snapshot
 * tiles and status polling, then takes the socket when it comes. Waits on conditions only.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { nowSeconds } from '../../src/stream/ring-buffer.js';
import {
  everyPicture,
  LiveCamera,
  serve,
  unserve,
  useChromium,
  watchConnections,
} from '../helpers/browser.js';
import { describeWithTools } from '../helpers/tools.js';

const WAIT = { timeout: 10_000 };
/** Loading pages on a busy 2-core machine can take long; what is measured has its own deadline. */
const LOAD = { timeout: 30_000 };

/** What each card's image shows: its `data-frame-index` (null before the first frame). */
function shownFrames(page: Page): Promise<(string | null)[]> {
  return page.$$eval('img.live', (imgs) =>
    imgs.map((img) => (img as HTMLImageElement).dataset.frameIndex ?? null),
  );
}

/** Wait until every card shows a frame from the socket. */
async function allPainted(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll<HTMLImageElement>('img.live')).every(
        (img) => img.dataset.frameIndex,
      ),
    null,
    LOAD,
  );
}

/**
 * The page's clock (`Date.now()`) minus the gateway's (`nowSeconds()`, which stamps frames), in
 * seconds, from the quickest of a few round trips. They differ: `nowSeconds()` is the monotonic
 * clock anchored at process start, and on some VMs the wall clock runs measurably faster.
 */
async function clockOffset(page: Page): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const before = nowSeconds();
    const pageNow = await page.evaluate(() => Date.now() / 1000);
    const after = nowSeconds();
    if (after - before < best.rtt) best = { rtt: after - before, offset: pageNow - (before + after) / 2 };
  }
  return best.offset;
}

/** Each card's "Frames" statistic (moves with every status the page gets). */
function framesStats(page: Page): Promise<string[]> {
  return page.$$eval('[data-stat="frames"]', (els) => els.map((el) => el.textContent ?? ''));
}

interface Draw {
  index: number;
  /** Seconds between the frame's host receive time and the moment the page showed it, by the page's clock. */
  age: number;
  /** performance.now() in the page when it showed it. */
  at: number;
}

describeWithTools(['chromium'], 'the viewer page over one WebSocket', () => {
  const session = useChromium();

  it('8 cameras × 3 tabs: every picture and every stat changes within 5 s in every tab, one socket per tab', async () => {
    const cameras = Array.from({ length: 8 }, (_, i) => new LiveCamera(`cam${i}`));
    session.served = await serve(cameras, undefined, 250);
    const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tabs = await Promise.all([0, 1, 2].map(() => context.newPage()));
    const seen = tabs.map(watchConnections);
    await Promise.all(tabs.map((tab) => tab.goto(session.served!.server.url)));
    for (const tab of tabs) {
      await allPainted(tab);
    }
    const pictures = await Promise.all(tabs.map(shownFrames));
    const stats = await Promise.all(tabs.map(framesStats));
    const changed = async (
      read: (page: Page) => Promise<unknown[]>,
      before: unknown[][],
    ): Promise<boolean> => {
      const now = await Promise.all(tabs.map(read));
      return now.every((tab, t) => tab.length === 8 && tab.every((value, c) => value !== before[t]![c]));
    };
    const since = performance.now();
    await expect.poll(() => changed(shownFrames, pictures), { timeout: 5000, interval: 100 }).toBe(true);
    const picturesChanged = performance.now() - since;
    await expect.poll(() => changed(framesStats, stats), { timeout: 5000, interval: 100 }).toBe(true);
    console.log(
      `8 cameras × 3 tabs: every picture seen changed ${(picturesChanged / 1000).toFixed(2)} s later, ` +
        `every stat ${((performance.now() - since) / 1000).toFixed(2)} s later (reading 3 tabs takes time too)`,
    );

    // One socket per tab and no MJPEG connection; each camera counts one viewer per tab.
    const socketUrl = `${session.served.server.url.replace('http:', 'ws:')}/ws`;
    expect(seen.map((s) => s.sockets)).toEqual(tabs.map(() => [socketUrl]));
    expect(seen.map((s) => s.streams)).toEqual(tabs.map(() => []));
    expect(session.served.gateway.openSockets).toBe(3);
    expect(cameras.map((c) => c.activeViewers.filter((v) => v.kind === 'stream').length)).toEqual(
      cameras.map(() => 3),
    );
    await context.close();
    // Closed tabs leave nothing behind.
    await expect.poll(() => session.served!.gateway.openSockets, WAIT).toBe(0);
    expect(cameras.map((c) => c.activeViewers.length)).toEqual(cameras.map(() => 0));
  }, 120_000);

  it('a page that draws at 2 fps is sent only what it draws, and shows frames at most 1 s old', async () => {
    const camera = new LiveCamera('desk');
    session.served = await serve([camera]); // 20 frames a second
    const page = await session.browser.newPage();
    await page.goto(`${session.served.server.url}/?draw_fps=2`);
    await page.waitForFunction(
      () => document.querySelector<HTMLImageElement>('img.live')?.dataset.frameIndex,
      null,
      WAIT,
    );
    const lease = (): number => camera.activeViewers.find((v) => v.kind === 'stream')?.frames ?? 0;
    // Record every picture as it is shown: its frame's age then.
    await page.evaluate(() => {
      const img = document.querySelector<HTMLImageElement>('img.live')!;
      const draws: Draw[] = [];
      (window as unknown as { draws: Draw[] }).draws = draws;
      new MutationObserver(() => {
        draws.push({
          index: Number(img.dataset.frameIndex),
          age: Date.now() / 1000 - Number(img.dataset.frameTime),
          at: performance.now(),
        });
      }).observe(img, { attributes: true, attributeFilter: ['data-frame-index'] });
    });
    const offsetBefore = await clockOffset(page);
    const sentBefore = lease();
    const draws = (): Promise<Draw[]> => page.evaluate(() => (window as unknown as { draws: Draw[] }).draws);
    await expect.poll(async () => (await draws()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
    const sentAfter = lease();
    const offset = (offsetBefore + (await clockOffset(page))) / 2;
    const shown = await draws();
    const seconds = (shown.at(-1)!.at - shown[0]!.at) / 1000;
    const drawRate = (shown.length - 1) / seconds;
    const ages = shown.map((d) => d.age - offset).sort((a, b) => a - b);
    console.log(
      `draw_fps=2: ${shown.length} pictures at ${drawRate.toFixed(2)} fps, frame age when shown ` +
        `median ${ages[ages.length >> 1]!.toFixed(3)} s, max ${ages.at(-1)!.toFixed(3)} s; ` +
        `${sentAfter - sentBefore} frames sent meanwhile, camera at 20 fps (page clock ${offset >= 0 ? '+' : ''}${offset.toFixed(3)} s)`,
    );
    // The throttle is real: about 2 pictures a second, each a newer frame than the last …
    expect(drawRate).toBeGreaterThan(1.5);
    expect(drawRate).toBeLessThan(2.3);
    for (let i = 1; i < shown.length; i++) expect(shown[i]!.index).toBeGreaterThan(shown[i - 1]!.index);
    // … each at most a second old when shown (frames skipped, never queued) …
    expect(ages.at(-1)!).toBeLessThanOrEqual(1);
    // … and the gateway sent only what the page drew (plus the one on its way).
    expect(sentAfter - sentBefore).toBeLessThanOrEqual(shown.length + 2);
    await page.close();
  });

  it('a hidden tab asks for no frames and gets them again when shown; a gateway that comes back is reconnected', async () => {
    const camera = new LiveCamera('desk');
    session.served = await serve([camera]);
    const url = session.served.server.url;
    const page = await session.browser.newPage();
    await page.goto(url);
    const shown = (): Promise<string | undefined> =>
      page.$eval('img.live', (img) => (img as HTMLImageElement).dataset.frameIndex);
    await expect.poll(shown, WAIT).toBeDefined();

    // The tab is hidden (the browser says so through document.hidden and visibilitychange).
    const setHidden = (hidden: boolean): Promise<void> =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { value: h, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await expect.poll(() => camera.activeViewers.length, WAIT).toBe(0);
    const stat = (): Promise<string | null> => page.locator('[data-stat="frames"]').textContent();
    const frames = await stat();
    await expect.poll(stat, WAIT).not.toBe(frames); // the status still comes
    expect(session.served.gateway.openSockets).toBe(1);
    await setHidden(false);
    await expect.poll(() => camera.activeViewers.length, WAIT).toBe(1);
    const before = await shown();
    await expect.poll(shown, WAIT).not.toBe(before);

    // The gateway goes away: the page says so; it comes back on the same port: the page reconnects.
    await unserve(session.served);
    await expect.poll(() => page.locator('#gw').textContent(), WAIT).toMatch(/unreachable/);
    const again = new LiveCamera('desk');
    session.served = await serve([again], undefined, 50, Number(new URL(url).port));
    await expect.poll(() => session.served!.gateway.openSockets, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => again.activeViewers.map((v) => v.kind), WAIT).toEqual(['stream']);
    const index = await shown();
    await expect.poll(shown, WAIT).not.toBe(index);
    await expect.poll(() => page.locator('.badge').textContent(), WAIT).toBe('online');
    await page.close();
  }, 90_000);

  it('with its WebSocket blocked, falls back to MJPEG streams, snapshot tiles and polling; takes the socket when it comes', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const cameras = names.map((name) => new LiveCamera(name));
    session.served = await serve(cameras);
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 640 } });
    let blocked = true;
    let refused = 0;
    // A proxy that does not pass WebSockets on.
    await page.routeWebSocket(/\/ws$/, (ws) => {
      if (blocked) {
        refused++;
        void ws.close();
      } else ws.connectToServer();
    });
    await page.goto(session.served.server.url);
    // Four live MJPEG streams, the fifth as refreshed snapshots; the stats come by polling.
    await everyPicture(page, 320, WAIT.timeout);
    const streaming = (camera: LiveCamera): boolean => camera.activeViewers.some((v) => v.kind === 'stream');
    await expect.poll(() => cameras.map(streaming), WAIT).toEqual([true, true, true, true, false]);
    await expect
      .poll(() => page.locator('.badge').allTextContents(), WAIT)
      .toEqual(names.map(() => 'online'));
    const stats = await framesStats(page);
    await expect.poll(async () => (await framesStats(page))[4], WAIT).not.toBe(stats[4]);
    expect(session.served.gateway.openSockets).toBe(0);

    // "Watch live" on the fifth tile swaps it with the oldest live one.
    await page.locator('[data-cam-index="4"]').getByRole('button', { name: 'Watch live' }).click();
    await expect.poll(() => cameras.map(streaming), WAIT).toEqual([false, true, true, true, true]);
    expect(await page.locator('[data-cam-index="4"] .go-live').isHidden()).toBe(true);
    expect(await page.locator('[data-cam-index="0"] .go-live').isVisible()).toBe(true);

    // The page keeps trying (with a backoff); once the socket gets through it carries everything.
    expect(refused).toBeGreaterThanOrEqual(1);
    blocked = false;
    await expect.poll(() => session.served!.gateway.openSockets, { timeout: 20_000 }).toBe(1);
    await allPainted(page);
    // The MJPEG streams are closed: each camera has exactly one viewer, the socket's.
    await expect.poll(() => cameras.map((c) => c.activeViewers.length), WAIT).toEqual(names.map(() => 1));
    expect(await page.locator('.go-live:visible').count()).toBe(0);
    await page.close();
  });
});

/**
 * The viewer page in a real headless Chromium against the real app on a real
 * socket, with a FakeCamera fed the QVGA fixtures every 50 ms. Everything waits
 * on conditions (Playwright's waitForFunction, vitest's expect.poll), never on
 * fixed sleeps.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ControlError as SchemaControlError } from '../../src/control/errors.js';
import { actionControl, boolControl, enumControl, intControl } from '../../src/control/schema.js';
import { everyPicture, LiveCamera, serve, useChromium, watchConnections } from '../helpers/browser.js';
import { describeWithTools } from '../helpers/tools.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
const WAIT = { timeout: 8000 };
const FRAMESIZES = [
  { value: 'QVGA', label: 'QVGA 320×240' },
  { value: 'VGA', label: 'VGA 640×480' },
  { value: 'HD', label: 'HD 1280×720' },
];
/** One control of each kind. */
const SCHEMA = [
  intControl('quality', 'JPEG quality', 4, 63, 'lower is better').spec,
  boolControl('hmirror', 'Mirror').spec,
  enumControl('framesize', 'Resolution', FRAMESIZES).spec,
  actionControl('info', 'Device info', 'ask the device to send its info again').spec,
];

/** Text of a camera card's statistic (`frames`, `shown`, `size` …). */
function stat(page: Page, name: string, card = 0): Promise<string> {
  return text(page.locator(`[data-cam-index="${card}"] [data-stat="${name}"]`));
}

/** What an element shows as text. */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The control line of a control (the `role="alert"` element right after its input). */
function message(page: Page, control: string): Locator {
  return page.locator(`[data-control="${control}"] .ctl-msg`);
}

/** Whether the element lies wholly inside the window's visible height (give or take a pixel's rounding). */
async function inViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= -1 && r.bottom <= innerHeight + 1;
  });
}

/** Wait until the page has shown `n` more status answers (each moves the frames count on). */
async function renders(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = await stat(page, 'frames');
    await expect.poll(() => stat(page, 'frames'), WAIT).not.toBe(before);
  }
}

describeWithTools(['chromium'], 'viewer page in Chromium', () => {
  const session = useChromium();

  it('paints the live image, updates stats, follows online/offline, saves snapshots', async () => {
    const camera = new LiveCamera('desk', { controls: [] });
    camera.info = { model: 'ESP32-CAM', sensor: 'OV2640', firmware: '1.0.0', framesize: 'QVGA', quality: 10 };
    camera.logs = ['boot: camera init ok', 'wifi: disabled (serial mode)', 'stream: started, 20 fps'];
    session.served = await serve([camera]);
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(session.served.server.url);

    // The <img> shows the camera's picture at its real size.
    const shown = await page.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('img.live')!;
        return img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight];
      },
      null,
      WAIT,
    );
    expect(await shown.jsonValue()).toEqual([320, 240]);
    // Between two frames the picture never goes blank: it keeps its size frame after frame.
    const sizes = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const img = document.querySelector<HTMLImageElement>('img.live')!;
          const seen: string[] = [];
          const look = (): void => {
            seen.push(`${img.naturalWidth}x${img.naturalHeight}`);
            if (seen.length < 120) requestAnimationFrame(look);
            else resolve([...new Set(seen)]);
          };
          look();
        }),
    );
    expect(sizes).toEqual(['320x240']);
    await expect.poll(() => stat(page, 'size'), WAIT).toBe('320×240');
    expect(await page.title()).toBe('desk · cam-gateway');

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
    expect(await text(page.locator('footer'))).toContain('/stream');

    // No controls while the camera publishes none.
    expect(await page.locator('.controls').isHidden()).toBe(true);
    expect(await page.locator('.ctl-form input, .ctl-form select, .ctl-form button').count()).toBe(0);

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
    await expect.poll(() => text(page.locator('.snap-out')), WAIT).toContain('snapshot saved as desk-');

    // The camera goes away: offline badge and the no-signal card; then it comes back.
    camera.online = false;
    await expect.poll(() => text(badge), WAIT).toBe('offline');
    expect(await page.locator('.nosignal').isVisible()).toBe(true);
    expect(await text(page.locator('.nosignal .why'))).toBe('offline (fake)');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-offline.png') });
    camera.online = true;
    await expect.poll(() => text(badge), WAIT).toBe('online');
    expect(await page.locator('.nosignal').isVisible()).toBe(false);
    await page.close();
  });

  it('renders controls from the published schema, sends changes, and shows a refusal next to its control', async () => {
    const camera = new LiveCamera('desk', { controls: [] });
    camera.info = { model: 'ESP32-CAM', framesize: 'QVGA', quality: 10 };
    camera.logs = Array.from({ length: 30 }, (_, i) => `log line ${i + 1}`);
    // A device that remembers what it was set to (published back as each spec's value).
    camera.controlHandler = async (variable, value) => {
      if (value !== undefined) camera.info = { ...camera.info, [variable]: value };
      return { ok: true, reply: `ok ${variable}=${value ?? ''}` };
    };
    session.served = await serve([camera]);
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(session.served.server.url);
    await expect.poll(() => text(page.locator('.badge')), WAIT).toBe('online');
    expect(await page.locator('.controls').isHidden()).toBe(true);

    // The camera publishes its schema: the page shows exactly these inputs, in this order.
    camera.supportedControls = SCHEMA.map((spec) => ({ spec }));
    await page.locator('.controls').waitFor({ state: 'visible', ...WAIT });
    const rows = page.locator('.ctl-form > .ctl');
    expect(await rows.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.control))).toEqual(
      SCHEMA.map((s) => s.name),
    );
    expect(await page.locator('.ctl-form input[type="range"]').count()).toBe(1);
    expect(await page.locator('.ctl-form input[type="checkbox"]').count()).toBe(1);
    expect(await page.locator('.ctl-form select').count()).toBe(1);
    expect(await page.locator('.ctl-form button').count()).toBe(1);
    expect(await page.locator('.ctl-form input, .ctl-form select, .ctl-form button').count()).toBe(4);

    // int → range over exactly its min..max, starting at the published value, its number shown.
    const quality = page.getByLabel('JPEG quality');
    expect(
      await quality.evaluate((el: HTMLInputElement) => [el.type, el.min, el.max, el.step, el.title]),
    ).toEqual(['range', '4', '63', '1', 'lower is better']);
    expect(await quality.inputValue()).toBe('10');
    expect(await text(page.locator('[data-control="quality"] .val'))).toBe('10');
    // enum → select of exactly its choices, the published one selected (no placeholder: the value is known).
    const framesize = page.getByLabel('Resolution');
    const options = await framesize.evaluate((el: HTMLSelectElement) =>
      Array.from(el.options, (o) => ({ value: o.value, label: o.textContent })),
    );
    expect(options).toEqual(FRAMESIZES);
    expect(await framesize.inputValue()).toBe('QVGA');
    // bool → checkbox; action → button.
    const mirror = page.getByLabel('Mirror');
    expect(await mirror.isChecked()).toBe(false);
    const infoButton = page.locator('[data-control="info"] button');
    expect(await text(page.locator('[data-control="info"] label'))).toBe('Device info');
    expect(await infoButton.getAttribute('title')).toBe('ask the device to send its info again');

    // Each change is sent and confirmed next to its own control.
    await framesize.selectOption('VGA');
    await expect
      .poll(() => camera.controlCalls, WAIT)
      .toContainEqual({ variable: 'framesize', value: 'VGA' });
    await expect.poll(() => text(message(page, 'framesize')), WAIT).toBe('ok framesize=VGA');
    await quality.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => camera.controlCalls, WAIT).toContainEqual({ variable: 'quality', value: '11' });
    expect(await text(page.locator('[data-control="quality"] .val'))).toBe('11');
    await mirror.check();
    await expect.poll(() => camera.controlCalls, WAIT).toContainEqual({ variable: 'hmirror', value: '1' });
    await infoButton.click();
    await expect.poll(() => camera.controlCalls, WAIT).toContainEqual({ variable: 'info', value: undefined });
    await expect.poll(() => text(message(page, 'info')), WAIT).toBe('ok info=');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer.png') });

    // A new published value moves its input (the same element: values alone rebuild nothing) …
    const qualityNode = await quality.elementHandle();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    camera.info = { ...camera.info, quality: 30 };
    await expect.poll(() => quality.inputValue(), WAIT).toBe('30');
    expect(await text(page.locator('[data-control="quality"] .val'))).toBe('30');
    expect(await qualityNode!.evaluate((el) => el.isConnected)).toBe(true);
    // … but not while someone is using it.
    await quality.focus();
    camera.info = { ...camera.info, quality: 40 };
    await renders(page, 2);
    expect(await quality.inputValue()).toBe('30');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expect.poll(() => quality.inputValue(), WAIT).toBe('40');

    // A refused value: the gateway's message shows right after that control, in view, and the
    // input goes back to what the camera still uses. The select sits at the bottom edge of the
    // window first, so the message line under it starts out of view.
    camera.controlHandler = async (variable, value) => {
      throw new SchemaControlError(
        'invalid',
        `bad value "${value}" for ${variable}: expected one of QVGA, VGA`,
        {
          parameter: 'val',
        },
      );
    };
    // A window that ends above the select, scrolled so the select is its last line.
    const selectBottom = await framesize.evaluate((el) => el.getBoundingClientRect().bottom + scrollY);
    await page.setViewportSize({ width: 1280, height: Math.max(300, Math.floor(selectBottom) - 40) });
    await framesize.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    // Nothing below the select is in view: a message line under it would start out of sight.
    expect(await framesize.evaluate((el) => innerHeight - el.getBoundingClientRect().bottom)).toBeLessThan(4);
    await framesize.selectOption('HD');
    const refusal = message(page, 'framesize');
    await expect.poll(() => text(refusal), WAIT).toContain('bad value "HD" for framesize');
    expect(await text(refusal)).toContain('HTTP 400');
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.getAttribute('data-state')).toBe('error');
    expect(await framesize.evaluate((el) => el.nextElementSibling?.classList.contains('ctl-msg'))).toBe(true);
    expect(await refusal.isVisible()).toBe(true);
    await expect.poll(() => inViewport(refusal), WAIT).toBe(true);
    expect(await framesize.inputValue()).toBe('VGA');
    // The other controls' lines say nothing about it.
    expect(await text(message(page, 'quality'))).not.toContain('bad value');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-control-error.png') });

    // The next accepted value clears the message.
    camera.controlHandler = async (variable, value) => ({ ok: true, reply: `ok ${variable}=${value ?? ''}` });
    await framesize.selectOption('QVGA');
    await expect.poll(() => text(refusal), WAIT).not.toContain('bad value');
    expect(await refusal.getAttribute('data-state')).toBe('ok');
    await page.close();
  });

  it("shows several cameras as a grid behind HTTP Basic auth, every one live over the page's one WebSocket", async () => {
    const auth = { username: 'maker', password: 's3cret' };
    const names = ['front <door>', 'garage', 'attic', 'yard', 'shed'];
    const cameras = names.map((name) => new LiveCamera(name));
    session.served = await serve(cameras, auth);
    const context = await session.browser.newContext({
      httpCredentials: auth,
      viewport: { width: 1280, height: 640 },
    });
    const page = await context.newPage();
    const seen = watchConnections(page);
    await page.goto(session.served.server.url);
    // Every tile shows its picture, all of them live: the socket's handshake carried the credentials.
    await everyPicture(page, 320, WAIT.timeout);
    expect(await page.locator('img.live').count()).toBe(5);
    // The hostile name is shown as text, not markup.
    expect(await text(page.locator('[data-cam-index="0"] h2'))).toBe('front <door>');
    // Status polling carries the credentials too: every badge goes online.
    await expect
      .poll(() => page.locator('.badge').allTextContents(), WAIT)
      .toEqual(names.map(() => 'online'));
    expect(await text(page.locator('.lock'))).toContain('password protected');
    const streaming = (camera: LiveCamera): boolean => camera.activeViewers.some((v) => v.kind === 'stream');
    expect(cameras.map(streaming)).toEqual(names.map(() => true));
    // One WebSocket for the whole page, no MJPEG connection, no snapshot tile.
    expect(seen.sockets).toEqual([`${session.served.server.url.replace('http:', 'ws:')}/ws`]);
    expect(seen.streams).toEqual([]);
    expect(session.served.gateway.openSockets).toBe(1);
    expect(await page.locator('.go-live:visible').count()).toBe(0);
    // Each camera's controls come from its own schema (FakeCamera's default: quality and framesize);
    // a camera that does not say which frame size it uses gets a disabled placeholder, then the choices.
    const garage = page.locator('[data-cam-index="1"]');
    await expect.poll(() => garage.locator('.ctl-form .ctl').count(), WAIT).toBe(2);
    const sizes = await garage
      .locator('select')
      .evaluate((el: HTMLSelectElement) =>
        Array.from(el.options, (o) => [o.value, o.textContent, o.disabled, o.selected]),
      );
    expect(sizes).toEqual([
      ['', '—', true, true],
      ['QVGA', 'QVGA', false, false],
      ['VGA', 'VGA', false, false],
      ['SVGA', 'SVGA', false, false],
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-grid.png'), fullPage: true });
    await context.close();
  });
});

/**
 * The viewer page offers exactly what each camera's schema allows, for every protocol: the real
 * gateway (createGateway, real Camera, DeviceControls or PlaybackControls, real HTTP socket) with
 * a CAMF device, ArduCAM sketches on the OV2640, OV5642 (named by its greeting) and OV5640, an
 * Arducam Mega (devices on @serialport/binding-mock that answer every command) and the demo
 * recording, opened in headless Chromium. Every value the page offers is sent to /control and
 * accepted (sent from a page of the same origin, as the viewer sends them); a value outside the schema is refused with a 400 that the page shows next to the
 * control, in view.
 */
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ControlSpec } from '../../src/control/schema.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { until } from '../helpers/cli.js';
import { type FakeDevice, fakeDeviceBinding, MockBinding } from '../helpers/fake-devices.js';
import { describeWithTools } from '../helpers/tools.js';

const WAIT = { timeout: 10_000 };

/** A camera of the test gateway: its name, what it is, where its device sits. */
const CAMERAS = [
  { name: 'camf', protocol: 'camf', device: { kind: 'camf', received: [] } },
  { name: 'ov2640', protocol: 'arducam', sensor: 'ov2640', device: { kind: 'arducam', received: [] } },
  {
    name: 'ov5642',
    protocol: 'arducam',
    device: { kind: 'arducam', received: [], greeting: Buffer.from('ACK CMD OV5642 detected. END\r\n') },
  },
  { name: 'ov5640', protocol: 'arducam', sensor: 'ov5640', device: { kind: 'arducam', received: [] } },
  { name: 'mega', protocol: 'arducam-mega', device: { kind: 'arducam-mega', received: [] } },
] as const satisfies readonly {
  name: string;
  protocol: string;
  sensor?: string;
  device: FakeDevice;
}[];

/** What the page offers for one control, read from its input. */
interface Offer {
  name: string;
  kind: string;
  values: (string | null)[];
}

/** Every value a control's input can produce, from the DOM (null: an action, sent without a value). */
async function offers(card: Locator): Promise<Offer[]> {
  return card.locator('.ctl').evaluateAll((rows) =>
    rows.map((row) => {
      const el = row as HTMLElement;
      const input = el.querySelector('input, select, button')!;
      const kind = el.dataset.kind!;
      let values: (string | null)[] = [];
      if (input instanceof HTMLSelectElement) {
        values = Array.from(input.options)
          .filter((o) => !o.disabled)
          .map((o) => o.value);
      } else if (input instanceof HTMLInputElement && input.type === 'range') {
        for (let v = Number(input.min); v <= Number(input.max); v += Number(input.step || '1'))
          values.push(String(v));
      } else if (input instanceof HTMLInputElement && input.type === 'checkbox') {
        values = ['1', '0'];
      } else {
        values = [null];
      }
      return { name: el.dataset.control!, kind, values };
    }),
  );
}

/** What the schema allows, in the same form. */
function allowed(spec: ControlSpec): Offer {
  switch (spec.kind) {
    case 'int':
      return {
        name: spec.name,
        kind: spec.kind,
        values: Array.from({ length: spec.max - spec.min + 1 }, (_, i) => String(spec.min + i)),
      };
    case 'bool':
      return { name: spec.name, kind: spec.kind, values: ['1', '0'] };
    case 'enum':
      return { name: spec.name, kind: spec.kind, values: spec.choices.map((c) => c.value) };
    case 'action':
      return { name: spec.name, kind: spec.kind, values: [null] };
  }
}

/**
 * Send each offered value from the page, as the page does (POST, same origin), eight at a time
 * (the camera queues them: one in flight, up to 16 waiting); returns the refused ones.
 */
async function refusals(page: Page, base: string, list: Offer[]): Promise<string[]> {
  return page.evaluate(
    async ({ base, list }) => {
      const jobs = list.flatMap(({ name, values }) => values.map((value) => ({ name, value })));
      const refused: string[] = [];
      const worker = async (): Promise<void> => {
        for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
          const { name, value } = job;
          const q = `var=${encodeURIComponent(name)}${value === null ? '' : `&val=${encodeURIComponent(value)}`}`;
          const res = await fetch(`${base}control?${q}`, { method: 'POST', credentials: 'same-origin' });
          if (res.status !== 200) refused.push(`${name}=${value} → ${res.status} ${await res.text()}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      return refused;
    },
    { base, list },
  );
}

describeWithTools(['chromium'], 'the viewer page offers exactly what each camera honours', () => {
  let browser: Browser;
  let gateway: Gateway;
  let page: Page;
  /** A page of its own (own connection pool: the viewer's live streams hold most of the 6 per host) that sends values. */
  let sender: Page;

  beforeAll(async () => {
    const devices = new Map<string, FakeDevice>();
    for (const c of CAMERAS) {
      const path = `/dev/tty${c.name.toUpperCase()}`;
      MockBinding.createPort(path, { echo: false, record: false });
      devices.set(path, c.device);
    }
    gateway = createGateway({
      cameras: [
        ...CAMERAS.map((c) => ({
          name: c.name,
          port: `/dev/tty${c.name.toUpperCase()}`,
          protocol: c.protocol,
          ...('sensor' in c ? { sensor: c.sensor } : {}),
        })),
        { name: 'demo', demo: true },
      ],
      port: 0,
      binding: fakeDeviceBinding(devices),
    });
    await gateway.start();
    await until(
      'the OV5642 greeting',
      () => gateway.cameras.find((c) => c.name === 'ov5642')!.status().sensor === 'ov5642',
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${gateway.url}/`);
    sender = await (await browser.newContext()).newPage();
    await sender.goto(`${gateway.url}/status`);
    await page.evaluate(() => {
      document.querySelectorAll('details').forEach((d) => {
        d.open = true;
      });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    MockBinding.reset();
  });

  for (const name of [...CAMERAS.map((c) => c.name), 'demo']) {
    it(`${name}: the page offers the schema, and /control accepts every value it offers`, async () => {
      const card = page.locator(`[data-cam="${name}"]`);
      const schema = (await (await fetch(`${gateway.url}/cams/${name}/controls`)).json()) as ControlSpec[];
      expect(schema.length).toBeGreaterThan(0);
      await expect.poll(() => card.locator('.ctl').count(), WAIT).toBe(schema.length);
      const offered = await offers(card);
      expect(offered).toEqual(schema.map(allowed));
      // Everything but `stream` at once; then stream off and on, one after the other, so the sketches
      // keep streaming and the demo keeps playing (a snapshot waits for the next frame).
      const base = `cams/${name}/`;
      expect(
        await refusals(
          sender,
          base,
          offered.filter((o) => o.name !== 'stream'),
        ),
      ).toEqual([]);
      for (const stream of offered.filter((o) => o.name === 'stream')) {
        for (const value of ['0', '1'])
          expect(await refusals(sender, base, [{ ...stream, values: [value] }])).toEqual([]);
      }
      // About a hundred commands, one at a time per camera: ~20 s alone on a loaded 2-core machine.
    }, 60_000);
  }

  for (const name of CAMERAS.map((c) => c.name)) {
    it(`${name}: a value outside the schema is refused with a 400 shown next to its control, in view`, async () => {
      const card = page.locator(`[data-cam="${name}"]`);
      const row = card.locator('.ctl[data-kind="int"]').first();
      const input = row.locator('input[type="range"]');
      const before = await input.inputValue();
      // Stretch the slider one step past the schema, as a stale page or a hand-edited form might.
      await input.evaluate((el) => {
        const range = el as HTMLInputElement;
        range.max = String(Number(range.max) + 1);
        range.value = range.max;
        range.dispatchEvent(new Event('change', { bubbles: true }));
      });
      const message = row.locator('.ctl-msg');
      await expect.poll(() => message.textContent(), WAIT).toMatch(/bad value .* expected an integer/);
      expect(await message.getAttribute('data-state')).toBe('error');
      expect(await message.textContent()).toContain('400');
      const inView = await message.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
      });
      expect(inView).toBe(true);
      expect(await input.inputValue()).toBe(before);
    });
  }
});

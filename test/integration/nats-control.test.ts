/**
 * `/control` through the bus to a real device: the origin gateway owns a socat pty whose other
 * end is the C firmware library (`camf_tool device`), and publishes on a real `nats-server`;
 * a relay with no serial port serves the camera. A control request sent to the relay reaches
 * the device on the origin's pty, the device's reply comes back, and a refused request comes
 * back with the same status and body the origin itself would answer (the error kind travels
 * over the wire).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createRelay, type Relay } from '../../src/relay/relay.js';
import { parseNatsUrl } from '../../src/sinks/nats/address.js';
import { REPO_DIR } from '../firmware/c-build.js';
import { type NatsCluster, startNats } from '../helpers/brokers.js';
import { type CamfDevice, camfDeviceOnPty } from '../helpers/camf-device.js';
import { until } from '../helpers/cli.js';
import { describeWithTools } from '../helpers/tools.js';

const JPEG = join(REPO_DIR, 'fixtures', 'jpeg', 'qvga-001.jpg');

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describeWithTools(
  ['nats-server', 'gcc', 'socat'],
  '/control on a relay reaches the device on the origin’s pty',
  () => {
    let nats: NatsCluster;
    let device: CamfDevice;
    let origin: Gateway;
    let relay: Relay;

    beforeAll(async () => {
      nats = await startNats(1);
      // The device never answers `quality` (to test the timeout through the relay).
      device = await camfDeviceOnPty(['--ignore', 'quality', '--interval-ms', '50'], JPEG);
      origin = createGateway({
        cameras: [{ name: 'bench', port: device.dev, protocol: 'camf' }],
        port: 0,
        site: 'lab',
        publish: { url: nats.url() },
      });
      await origin.start();
      relay = createRelay({
        address: parseNatsUrl(nats.url()),
        site: 'lab',
        ringSize: 10,
        host: '127.0.0.1',
        port: 0,
        version: 'test',
      });
      await until(
        'the relay to list the camera',
        async () => {
          if (!relay.url) await relay.start();
          return relay.cameras.some((c) => c.name === 'bench' && c.controls().length > 0);
        },
        10_000,
        100,
      );
    }, 60_000);

    afterAll(async () => {
      await relay?.stop();
      await origin?.stop();
      await device?.close();
      await nats?.close();
    });

    it('framesize=VGA sent to the relay is applied by the device; its reply comes back', async () => {
      expect(await get(`${relay.url}/cams/bench/control?var=framesize&val=VGA`)).toEqual({
        status: 200,
        body: { ok: true, reply: 'ok framesize=VGA' },
      });
      expect((await get(`${relay.url}/control?var=info`)).body).toEqual({ ok: true, reply: 'ok info' });
      // The device itself says so, in the info frame the origin decoded from the pty.
      await until('the device info on the origin', async () => {
        const s = (await get(`${origin.url}/cams/bench/status`)).body;
        return (s.info as Record<string, unknown> | null)?.framesize === 'VGA';
      });
      const logs = (await get(`${origin.url}/cams/bench/status`)).body.logs as string[];
      expect(logs).toEqual(expect.arrayContaining(['cmd framesize=VGA', 'cmd info']));
      // And the relay shows the new value in the schema it publishes (from the origin's status).
      await until('the value in the relay’s schema', async () => {
        const controls = (await get(`${relay.url}/cams/bench/controls`)).body as unknown as {
          name: string;
          value?: unknown;
        }[];
        return controls.find((c) => c.name === 'framesize')?.value === 'VGA';
      });
    });

    it('a snapshot asked through the relay comes back through the bus byte-exact from the device', async () => {
      expect((await get(`${relay.url}/cams/bench/control?var=snapshot`)).body).toEqual({
        ok: true,
        reply: 'ok snapshot',
      });
      const jpeg = readFileSync(JPEG);
      const img = await until('the frame on the relay', async () => {
        const res = await fetch(`${relay.url}/cams/bench/snapshot`);
        return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
      });
      expect(img!.equals(jpeg)).toBe(true);
    });

    it('a refused request gets the same status and body through the relay as from the origin', async () => {
      for (const query of ['var=zoom&val=2', 'var=quality&val=999', 'var=hmirror&val=maybe']) {
        const direct = await get(`${origin.url}/cams/bench/control?${query}`);
        const relayed = await get(`${relay.url}/cams/bench/control?${query}`);
        expect(direct.status).toBe(400);
        expect(relayed).toEqual(direct);
      }
    });

    it('a device that does not answer → 504 through the relay, like on the origin', async () => {
      const relayed = await get(`${relay.url}/cams/bench/control?var=quality&val=10`);
      expect(relayed).toEqual({ status: 504, body: { error: 'camera did not answer within 3 s' } });
    }, 10_000);

    it('an origin that is gone → 503 (no gateway answers on the bus)', async () => {
      await origin.stop();
      const r = await get(`${relay.url}/cams/bench/control?var=info`);
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/no gateway on the bus serves camera bench/);
      // Its last status says offline: the relay's streams show NO SIGNAL rather than a frozen frame.
      await until('the camera offline on the relay', async () => {
        const s = (await get(`${relay.url}/cams/bench/status`)).body;
        return s.online === false;
      });
    });
  },
);

/**
 * `/control` on a real pseudo-terminal with the real firmware code on the other end: socat links
 * the port the gateway opens to `camf_tool device` (firmware/camf compiled with gcc), so the C
 * command decoder and encoder answer the real gateway (serialport, CamfDecoder, ControlSession,
 * Hono on a real socket).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { REPO_DIR } from '../firmware/c-build.js';
import { type CamfDevice, camfDeviceOnPty } from '../helpers/camf-device.js';
import { until } from '../helpers/cli.js';
import { describeWithTools } from '../helpers/tools.js';

const JPEG = join(REPO_DIR, 'fixtures', 'jpeg', 'qvga-001.jpg');

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface CamStatus {
  info: Record<string, unknown> | null;
  logs: string[];
  frames: number;
  crcErrors: number;
}

async function status(gateway: Gateway): Promise<CamStatus> {
  return ((await get(`${gateway.url}/status`)).body.cameras as CamStatus[])[0]!;
}

describeWithTools(
  ['gcc', 'socat'],
  '/control on a real pty, answered by the C firmware library (camf_tool device)',
  () => {
    let device: CamfDevice;
    let gateway: Gateway;

    beforeAll(async () => {
      // The device end: camf_tool's stdin/stdout, which never answers `quality` (to test the timeout).
      device = await camfDeviceOnPty(['--ignore', 'quality', '--interval-ms', '50'], JPEG);
      gateway = createGateway({
        cameras: [{ port: device.dev, protocol: 'camf', baudRate: 921_600 }],
        port: 0,
      });
      await gateway.start();
    });
    afterAll(async () => {
      await gateway?.stop();
      await device?.close();
    });

    it('GET /control?var=framesize&val=VGA → 200 with the firmware reply, and the device state changed', async () => {
      const r = await get(`${gateway.url}/control?var=framesize&val=VGA`);
      expect(r).toEqual({ status: 200, body: { ok: true, reply: 'ok framesize=VGA' } });
      const info = await get(`${gateway.url}/control?var=info`);
      expect(info.body).toEqual({ ok: true, reply: 'ok info' });
      const cam = (await until('the info frame in /status', async () => {
        const s = await status(gateway);
        return s.info?.framesize === 'VGA' ? s : undefined;
      }))!;
      expect(cam.info).toMatchObject({ model: 'camf_tool', firmware: '1.0.0', framesize: 'VGA' });
      expect(cam.logs).toEqual(expect.arrayContaining(['cmd framesize=VGA', 'cmd info']));
      expect(cam.crcErrors).toBe(0);
    });

    it('an unsupported variable → 400 listing the supported ones; the firmware rejects what it cannot do', async () => {
      const r = await get(`${gateway.url}/control?var=zoom&val=2`);
      expect(r.status).toBe(400);
      expect(r.body.supported).toEqual(
        expect.arrayContaining(['framesize', 'quality', 'stream', 'snapshot', 'info']),
      );
      const flip = await get(`${gateway.url}/control?var=hmirror&val=on`);
      expect(flip.body).toEqual({ ok: true, reply: 'ok hmirror=1' });
    });

    it('snapshot and stream=1 bring frames byte-exact through the gateway; stream=0 stops them', async () => {
      const jpeg = readFileSync(JPEG);
      const shot = await get(`${gateway.url}/control?var=snapshot`);
      expect(shot.body).toEqual({ ok: true, reply: 'ok snapshot' });
      await until('the snapshot frame', async () => (await status(gateway)).frames >= 1);
      const img = Buffer.from(await (await fetch(`${gateway.url}/snapshot`)).arrayBuffer());
      expect(img.equals(jpeg)).toBe(true);

      expect((await get(`${gateway.url}/control?var=stream&val=1`)).body).toEqual({
        ok: true,
        reply: 'ok stream=1',
      });
      const before = (await status(gateway)).frames;
      await until('streamed frames', async () => (await status(gateway)).frames >= before + 3);
      // Commands still get through while frames stream the other way.
      expect((await get(`${gateway.url}/control?var=stream&val=0`)).body).toEqual({
        ok: true,
        reply: 'ok stream=0',
      });
      // Every frame sent before that reply has been decoded by now; one more round trip shows no new ones.
      const stopped = (await status(gateway)).frames;
      expect((await get(`${gateway.url}/control?var=info`)).body).toEqual({ ok: true, reply: 'ok info' });
      expect((await status(gateway)).frames).toBe(stopped);
      expect((await status(gateway)).crcErrors).toBe(0);
    });

    it('a command the device does not answer → 504 after 3 s, and the next one works', async () => {
      const r = await get(`${gateway.url}/control?var=quality&val=10`);
      expect(r).toEqual({ status: 504, body: { error: 'camera did not answer within 3 s' } });
      const next = await get(`${gateway.url}/control?var=brightness&val=-1`);
      expect(next.body).toEqual({ ok: true, reply: 'ok brightness=-1' });
    });
  },
);

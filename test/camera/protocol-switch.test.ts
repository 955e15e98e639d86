/**
 * Auto-detection that settled on a guess (bare JPEG) for a CAMF device switches when a CAMF frame
 * shows up: `/status` shows it (`detectedProtocol`, `protocolSwitches`) and `/control` now speaks
 * CAMF to the device. Real HTTP socket; the device is a fake CAMF camera on the mock binding.
 */
import type { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { SerialSource } from '../../src/source/serial.js';
import { until } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { type FakeDevice, fakeDeviceBinding, MockBinding } from '../helpers/fake-devices.js';

type MockPort = Awaited<ReturnType<typeof SerialPortMock.binding.open>>;
const PATH = '/dev/ttySWITCH0';
const frames = fixtureFrames('qvga');

let gateway: Gateway | undefined;
beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true }));
afterEach(async () => {
  await gateway?.stop();
  MockBinding.reset();
});

async function camStatus(url: string): Promise<Record<string, unknown>> {
  const body = (await (await fetch(`${url}/status`)).json()) as { cameras: Record<string, unknown>[] };
  return body.cameras[0]!;
}

it('a CAMF device first taken for bare JPEG (junk that walks as a JPEG) gets CAMF decoding and controls once a CAMF frame arrives', async () => {
  const device: FakeDevice = { kind: 'camf', received: [] };
  gateway = createGateway({
    cameras: [{ port: PATH, protocol: 'auto' }],
    port: 0,
    binding: fakeDeviceBinding(new Map([[PATH, device]])),
  });
  await gateway.start();
  const port = (gateway.cameras[0]!.source as SerialSource).stream!.port as unknown as MockPort;

  // Junk from before the firmware ran: a JPEG and a long line of text. Auto-detection guesses jpeg.
  port.emitData(Buffer.concat([frames[0]!, Buffer.from(`junk ${'x'.repeat(100)}\r\n`)]));
  await until('the guess', async () => (await camStatus(gateway!.url)).detectedProtocol === 'jpeg');
  expect(await camStatus(gateway.url)).toMatchObject({ protocolSwitches: 0, controls: [] });
  expect((await fetch(`${gateway.url}/control?var=quality&val=10`)).status).toBe(503);

  const enc = new CamfEncoder();
  port.emitData(Buffer.concat(frames.slice(1, 4).map((f) => enc.jpeg(f))));
  const s = await until('the switch', async () => {
    const c = await camStatus(gateway!.url);
    return c.detectedProtocol === 'camf' && c.frames === 4 ? c : undefined;
  });
  expect(s).toMatchObject({ protocol: 'auto', detectedProtocol: 'camf', protocolSwitches: 1 });
  expect((s!.controls as { name: string }[]).map((c) => c.name)).toContain('quality');

  const answer = await fetch(`${gateway.url}/control?var=quality&val=10`);
  expect(await answer.json()).toEqual({ ok: true, reply: 'ok quality=10' });
  expect(device.received).toEqual(['quality=10']);
});

/**
 * `/control` end to end through the real gateway (createGateway: SerialSource → CamfDecoder →
 * Camera → ControlSession → Hono over a real HTTP socket) with the serial port played by
 * @serialport/binding-mock: a fake CAMF device on the mock port decodes each command frame the
 * gateway writes and answers with a type 04 reply, as the reference firmware does.
 */
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { CamfCommandDecoder } from '../../src/protocol/camf/decoder.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { SerialSource } from '../../src/source/serial.js';
import type { SerialBinding } from '../../src/source/types.js';
import { until } from '../helpers/cli.js';

const PATH = '/dev/ttyCAMF0';
const MockBinding = SerialPortMock.binding;

/** A CAMF camera on a mock port: answers commands unless told to stay silent for a name. */
interface FakeDevice {
  /** Commands received, as `name=value` text, in order. */
  commands: string[];
  /** Names it never answers. */
  silent: Set<string>;
}

function fakeDeviceBinding(device: FakeDevice): SerialBinding {
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      const enc = new CamfEncoder();
      const dec = new CamfCommandDecoder();
      // Boot: a log line and the device info, as the firmware sends them.
      setImmediate(() => {
        port.emitData(enc.log('fake camf device booted'));
        port.emitData(enc.info({ model: 'mock-cam', sensor: 'OV2640', framesize: 'QVGA' }));
      });
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        for (const e of dec.push(buffer)) {
          if (e.type !== 'command') continue;
          device.commands.push(e.text);
          if (device.silent.has(e.name)) continue;
          // Answer a little later, as a real device does, from its own "loop".
          setImmediate(() => {
            if (port.isOpen)
              port.emitData(Buffer.concat([enc.log(`cmd ${e.text}`), enc.reply(`ok ${e.text}`)]));
          });
        }
      };
      return port;
    },
  } as unknown as SerialBinding;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('/control through the gateway to a CAMF device on the mock binding', () => {
  let gateway: Gateway;
  let device: FakeDevice;

  beforeEach(async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    device = { commands: [], silent: new Set() };
    gateway = createGateway({
      cameras: [{ port: PATH, protocol: 'camf' }],
      port: 0,
      binding: fakeDeviceBinding(device),
    });
    await gateway.start();
    await until('the device info in /status', async () => {
      const { body } = await get(`${gateway.url}/status`);
      return (body.cameras as { info: unknown }[])[0]!.info !== null;
    });
  });
  afterEach(async () => {
    await gateway.stop();
    MockBinding.reset();
  });

  it('sets framesize: the device gets framesize=VGA and the client its reply', async () => {
    const r = await get(`${gateway.url}/control?var=framesize&val=VGA`);
    expect(r).toEqual({ status: 200, body: { ok: true, reply: 'ok framesize=VGA' } });
    // CameraWebServer's numeric index reaches the device as the name.
    const byIndex = await get(`${gateway.url}/control?var=framesize&val=10`);
    expect(byIndex.body).toEqual({ ok: true, reply: 'ok framesize=XGA' });
    expect(device.commands).toEqual(['framesize=VGA', 'framesize=XGA']);
  });

  it('/status shows the device info, its log lines and the controls it accepts', async () => {
    await get(`${gateway.url}/control?var=vflip&val=1`);
    const { body } = await get(`${gateway.url}/status`);
    const cam = (body.cameras as Record<string, unknown>[])[0]!;
    expect(cam.info).toEqual({ model: 'mock-cam', sensor: 'OV2640', framesize: 'QVGA' });
    expect(cam.logs).toEqual(['fake camf device booted', 'cmd vflip=1']);
    const names = (cam.controls as { name: string }[]).map((c) => c.name);
    expect(names).toContain('framesize');
    expect(names).toContain('snapshot');
  });

  it('answers 400 with the supported list for an unknown variable and 400 naming the range for a bad value', async () => {
    const unknown = await get(`${gateway.url}/control?var=zoom&val=2`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unsupported control "zoom"/);
    expect(unknown.body.supported).toContain('framesize');
    const bad = await get(`${gateway.url}/control?var=quality&val=99`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad value "99" for quality: expected an integer 4..63');
    expect(device.commands).toEqual([]);
  });

  it('serialises concurrent requests: each client gets its own reply', async () => {
    const values = [10, 11, 12, 13, 14];
    const replies = await Promise.all(values.map((v) => get(`${gateway.url}/control?var=quality&val=${v}`)));
    expect(replies.map((r) => r.body.reply)).toEqual(values.map((v) => `ok quality=${v}`));
    expect([...device.commands].sort()).toEqual(values.map((v) => `quality=${v}`));
  });

  it('answers 504 when the device stays silent, 503 when the port is gone', async () => {
    device.silent.add('colorbar');
    const silent = await get(`${gateway.url}/control?var=colorbar&val=1`);
    expect(silent).toEqual({ status: 504, body: { error: 'camera did not answer within 3 s' } });
    expect(device.commands).toEqual(['colorbar=1']);

    // Unplug: the device disappears and the open port reports a disconnect.
    MockBinding.reset();
    const source = gateway.cameras[0]!.source as SerialSource;
    source.stream!._disconnected(new Error('device reports readiness to read but returned no data'));
    await until('the camera offline', async () => {
      const { body } = await get(`${gateway.url}/status`);
      return (body.cameras as { online: boolean }[])[0]!.online === false;
    });
    const offline = await get(`${gateway.url}/control?var=framesize&val=VGA`);
    expect(offline.status).toBe(503);
    expect(offline.body.error).toMatch(/offline|not open/);
  });
});

/** An ArduCAM Mini 2MP Plus sketch on a mock port: prints its boot ACKs, acknowledges command bytes. */
function arducamBinding(received: number[]): SerialBinding {
  const ACKS: Record<number, string> = {
    4: 'switch to OV2640_640x480',
    32: 'CAM start video streaming.',
    33: 'CAM stop video streaming.',
    97: 'Set to Brightness+1',
  };
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      setImmediate(() => port.emitData('ACK CMD ArduCAM Start! END\r\nACK CMD OV2640 detected. END\r\n'));
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        for (const byte of buffer) {
          received.push(byte);
          const ack = ACKS[byte];
          if (ack) setImmediate(() => port.isOpen && port.emitData(`ACK CMD ${ack} END\r\n`));
        }
      };
      return port;
    },
  } as unknown as SerialBinding;
}

describe('/control through the gateway to an ArduCAM sketch on the mock binding', () => {
  let gateway: Gateway;
  const received: number[] = [];

  beforeEach(async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    received.length = 0;
    gateway = createGateway({
      cameras: [{ port: PATH, protocol: 'arducam', baudRate: 921_600 }],
      port: 0,
      binding: arducamBinding(received),
    });
    await gateway.start();
    // The gateway starts the sketch's stream by itself once it has seen the sensor detected.
    await until('the stream start byte', () => received.includes(0x20));
  });
  afterEach(async () => {
    await gateway.stop();
    MockBinding.reset();
  });

  it('sends the single resolution byte and returns the sketch ACK as the reply', async () => {
    const r = await get(`${gateway.url}/control?var=framesize&val=VGA`);
    expect(r).toEqual({ status: 200, body: { ok: true, reply: 'switch to OV2640_640x480' } });
    const b = await get(`${gateway.url}/control?var=brightness&val=1`);
    expect(b.body).toEqual({ ok: true, reply: 'Set to Brightness+1' });
    expect(received.slice(-2)).toEqual([0x04, 0x61]);
    const cam = ((await get(`${gateway.url}/status`)).body.cameras as { controls: { name: string }[] }[])[0]!;
    const names = cam.controls.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['framesize', 'stream', 'snapshot', 'brightness']));
    expect(names).not.toContain('quality');
  });

  it('reports what was sent when the sketch stays silent', async () => {
    const r = await get(`${gateway.url}/control?var=special_effect&val=2`);
    expect(r).toEqual({ status: 200, body: { ok: true, reply: 'sent 0x84' } });
    expect(received.at(-1)).toBe(0x84);
  });
});

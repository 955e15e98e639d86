/**
 * An ArduCAM Mini 5MP Plus (OV5642) sketch on a real pty: it greets `OV5642 detected.`, and the
 * gateway must speak the OV5642 command table from then on — `framesize=VGA` is byte 01 there
 * (04, the OV2640's byte, would ask that sketch for 1600×1200) and `2592x1944` is byte 06.
 * The test plays the sketch through real serialport on the pty's other end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { until } from '../helpers/cli.js';
import { openPty, type Pty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

/** What the OV5642 sketch prints for each resolution byte (ArduCAM_Mini_5MP_OV5642_Plus_Functions). */
const OV5642_SIZES = ['320x240', '640x480', '1024x768', '1280x960', '1600x1200', '2048x1536', '2592x1944'];

describeWithTools(['socat'], 'ArduCAM OV5642 sketch on a real pty', () => {
  let dir: string;
  let pty: Pty;
  let sketch: SerialPort;
  let gateway: Gateway;
  const received: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cam-arducam-pty-'));
    pty = await openPty(dir);
    sketch = new SerialPort({ path: pty.host, baudRate: 921_600 });
    await new Promise<void>((resolve, reject) => sketch.once('open', resolve).once('error', reject));
    // The sketch: answer each command byte as ArduCAM_Mini_5MP_OV5642_Plus_Functions does.
    sketch.on('data', (chunk: Buffer) => {
      for (const byte of chunk) {
        received.push(byte);
        if (byte < OV5642_SIZES.length)
          sketch.write(`ACK CMD switch to OV5642_${OV5642_SIZES[byte]} END\r\n`);
        else if (byte === 0x20) sketch.write('ACK CMD CAM start video streaming. END\r\n');
        else if (byte === 0x21) sketch.write('ACK CMD CAM stop video streaming. END\r\n');
      }
    });
    gateway = createGateway({
      cameras: [{ port: pty.dev, protocol: 'arducam', baudRate: 921_600 }],
      port: 0,
    });
    await gateway.start();
    sketch.write(
      'ACK CMD ArduCAM Start! END\r\nACK CMD SPI interface OK. END\r\nACK CMD OV5642 detected. END\r\n',
    );
    await until('the stream-start byte', () => received.includes(0x20));
  });
  afterAll(async () => {
    await gateway?.stop();
    if (sketch?.isOpen) await new Promise((r) => sketch.close(r));
    await pty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the sensor from the greeting and sends the OV5642 bytes for framesize=VGA and 2592x1944', async () => {
    const status = await (await fetch(`${gateway.url}/status`)).json();
    expect(status.cameras[0]).toMatchObject({ detectedProtocol: 'arducam', sensor: 'ov5642' });

    const before = received.length;
    const vga = await fetch(`${gateway.url}/control?var=framesize&val=VGA`);
    expect(await vga.json()).toEqual({ ok: true, reply: 'switch to OV5642_640x480' });
    const max = await fetch(`${gateway.url}/control?var=framesize&val=2592x1944`);
    expect(await max.json()).toEqual({ ok: true, reply: 'switch to OV5642_2592x1944' });
    expect(received.slice(before)).toEqual([0x01, 0x06]);
  });

  it('publishes the OV5642 schema: its sizes and ±4 levels, and refuses an OV2640-only size with a 400', async () => {
    const controls = (await (await fetch(`${gateway.url}/cams/cam0/controls`)).json()) as {
      name: string;
      choices?: { value: string }[];
      min?: number;
      max?: number;
    }[];
    const byName = new Map(controls.map((c) => [c.name, c]));
    expect(byName.get('framesize')!.choices!.map((c) => c.value)).toEqual(OV5642_SIZES);
    expect(byName.get('brightness')).toMatchObject({ min: -4, max: 4 });
    const before = received.length;
    const refused = await fetch(`${gateway.url}/control?var=framesize&val=160x120`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ parameter: 'val' });
    expect(received.length).toBe(before);
  });
});

/**
 * Serial devices for tests, played on @serialport/binding-mock ports: each
 * protocol's device answers every command at once, as the real firmware or
 * sketch would (CAMF: a type 04 `ok` reply; ArduCAM: an `ACK CMD … END` line;
 * Arducam Mega: a type 06 reply packet), and records what it received.
 */
import { SerialPortMock } from 'serialport';
import { CamfCommandDecoder } from '../../src/protocol/camf/decoder.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { SerialBinding } from '../../src/source/types.js';

export const MockBinding = SerialPortMock.binding;
type MockPort = Awaited<ReturnType<typeof MockBinding.open>>;

export type FakeDeviceKind = 'camf' | 'arducam' | 'arducam-mega';

/** What a device got from the gateway. */
export interface FakeDevice {
  readonly kind: FakeDeviceKind;
  /** CAMF: `name=value` texts; others: the raw bytes written, one array per write. */
  readonly received: (string | number[])[];
  /** Text the device prints when the port opens (an ArduCAM greeting …). */
  greeting?: Buffer;
}

/** A Mega reply packet: FF AA 06 <u32 len> <text> FF BB. */
function megaReply(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.from([0xff, 0xaa, 0x06, 0, 0, 0, 0]);
  head.writeUInt32LE(body.length, 3);
  return Buffer.concat([head, body, Buffer.from([0xff, 0xbb])]);
}

function answer(
  port: MockPort,
  device: FakeDevice,
  enc: CamfEncoder,
  dec: CamfCommandDecoder,
  data: Buffer,
): void {
  const send = (bytes: Buffer): void => {
    setImmediate(() => {
      if (port.isOpen) port.emitData(bytes);
    });
  };
  switch (device.kind) {
    case 'camf':
      for (const e of dec.push(data)) {
        if (e.type !== 'command') continue;
        device.received.push(e.text);
        send(enc.reply(`ok ${e.text}`));
      }
      return;
    case 'arducam':
      device.received.push([...data]);
      for (const byte of data)
        send(Buffer.from(`ACK CMD did 0x${byte.toString(16).padStart(2, '0')} END\r\n`, 'latin1'));
      return;
    case 'arducam-mega':
      device.received.push([...data]);
      send(megaReply('ok'));
      return;
  }
}

/**
 * A binding whose ports are devices: `devices` maps a port path to the device played there
 * (create each port with `MockBinding.createPort(path)` first).
 */
export function fakeDeviceBinding(devices: ReadonlyMap<string, FakeDevice>): SerialBinding {
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      const device = devices.get(options.path);
      if (!device) return port;
      const enc = new CamfEncoder();
      const dec = new CamfCommandDecoder();
      if (device.greeting) {
        const greeting = device.greeting;
        setImmediate(() => port.emitData(greeting));
      }
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        answer(port, device, enc, dec, buffer);
      };
      return port;
    },
  } as unknown as SerialBinding;
}

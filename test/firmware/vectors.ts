/**
 * The cross-language test vectors in fixtures/vectors/, defined once: `make-vectors.ts` writes
 * them, `vectors.test.ts` checks the committed files against both the C and the TS code.
 *
 * - device-frames.bin: device → host frames made by the C encoder (`camf_tool encode`);
 *   device-frames.json: the events the gateway must decode from it.
 * - commands.bin: host → device bytes made by the TS encoder, with noise (boot junk, a corrupted
 *   frame, a truncated frame, an oversize header, a device frame echoed back);
 *   commands.json: the commands a device must decode from it, in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../../src/protocol/camf/crc32.js';
import { CamfType, encodeCamfFrame } from '../../src/protocol/camf/frame.js';
import { REPO_DIR } from './c-build.js';

export const VECTORS_DIR = join(REPO_DIR, 'fixtures', 'vectors');

/** `camf_tool encode` arguments for device-frames.bin (paths relative to firmware/). */
export const DEVICE_FIRST_SEQ = 100;
export const DEVICE_FIRST_TS = 5_000_000;
export const DEVICE_TS_STEP = 33_333;
export const DEVICE_ITEMS: readonly string[] = [
  'log:cam-gateway esp32-cam 1.0.0 booted',
  'info:{"model":"ESP32-CAM","sensor":"OV2640","firmware":"1.0.0","framesize":"QVGA","quality":12}',
  'jpeg:../fixtures/jpeg/qvga-001.jpg',
  'reply:ok framesize=VGA',
  'jpeg:../fixtures/jpeg/exif-thumb.jpg',
  'log:température 21 °C',
  'reply:error quality must be 4..63',
  'jpeg:../fixtures/jpeg/progressive.jpg',
  'reply:',
  'jpeg:../fixtures/jpeg/dqt-ffd9.jpg',
];

export function deviceEncodeArgs(): string[] {
  return [
    'encode',
    '--seq',
    String(DEVICE_FIRST_SEQ),
    '--ts',
    String(DEVICE_FIRST_TS),
    '--ts-step',
    String(DEVICE_TS_STEP),
    ...DEVICE_ITEMS,
  ];
}

export type ExpectedDeviceEvent =
  | { type: 'log' | 'reply'; seq: number; deviceTimeUs: number; text: string }
  | { type: 'info'; seq: number; deviceTimeUs: number; raw: string }
  | { type: 'frame'; seq: number; deviceTimeUs: number; file: string; bytes: number; sha256: string };

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What the gateway must see in device-frames.bin, derived from the inputs (not from the .bin). */
export function expectedDeviceEvents(): ExpectedDeviceEvent[] {
  return DEVICE_ITEMS.map((item, i) => {
    const colon = item.indexOf(':');
    const kind = item.slice(0, colon);
    const arg = item.slice(colon + 1);
    const seq = DEVICE_FIRST_SEQ + i;
    const deviceTimeUs = DEVICE_FIRST_TS + i * DEVICE_TS_STEP;
    if (kind === 'jpeg') {
      const file = arg.replace('../', '');
      const data = readFileSync(join(REPO_DIR, file));
      return { type: 'frame', seq, deviceTimeUs, file, bytes: data.length, sha256: sha256(data) };
    }
    if (kind === 'info') return { type: 'info', seq, deviceTimeUs, raw: arg };
    return { type: kind as 'log' | 'reply', seq, deviceTimeUs, text: arg };
  });
}

/** The same frames made by the TS encoder: must equal the C encoder's bytes exactly. */
export function deviceFramesByTs(): Buffer {
  const types: Record<string, number> = {
    log: CamfType.Log,
    info: CamfType.Info,
    reply: CamfType.Reply,
    jpeg: CamfType.Jpeg,
  };
  return Buffer.concat(
    DEVICE_ITEMS.map((item, i) => {
      const colon = item.indexOf(':');
      const kind = item.slice(0, colon);
      const arg = item.slice(colon + 1);
      const payload = kind === 'jpeg' ? readFileSync(join(REPO_DIR, arg.replace('../', ''))) : arg;
      return encodeCamfFrame({
        type: types[kind]!,
        payload,
        seq: DEVICE_FIRST_SEQ + i,
        timestampUs: DEVICE_FIRST_TS + i * DEVICE_TS_STEP,
      });
    }),
  );
}

/** Host → device stream: good commands with noise in between. Returns the bytes and the commands a device must see. */
export function commandVectors(): { bytes: Buffer; expected: string[] } {
  let seq = 1;
  let ts = 1_000_000;
  const cmd = (text: string): Buffer => {
    const f = encodeCamfFrame({ type: CamfType.Command, payload: text, seq: seq++, timestampUs: ts });
    ts += 250_000;
    return f;
  };
  const parts: Buffer[] = [];
  const expected: string[] = [];
  const good = (text: string): void => {
    parts.push(cmd(text));
    expected.push(text);
  };
  parts.push(Buffer.from('ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\nCAMCAMFCA', 'latin1'));
  good('info');
  good('framesize=VGA');
  // A corrupted payload byte: this frame alone is lost.
  const corrupt = cmd('quality=10');
  corrupt[30] = (corrupt[30]! ^ 0x20) & 0xff;
  parts.push(corrupt);
  good('quality=12');
  // A frame cut after 35 bytes (bytes lost on the line); the next one must still arrive.
  parts.push(cmd('brightness=-2').subarray(0, 35));
  good('brightness=1');
  // A header with a valid CRC but an absurd length: rejected as oversized.
  const huge = cmd('x');
  huge.writeUInt32LE(0x7fffffff, 20);
  huge.writeUInt32LE(crc32(huge, 0, 24), 24);
  parts.push(huge.subarray(0, 28));
  good('hmirror=1');
  // A device frame (type 02) heard on the command line: skipped by its length.
  parts.push(encodeCamfFrame({ type: CamfType.Log, payload: 'echo', seq: 9, timestampUs: 0 }));
  good('stream=0');
  good('snapshot');
  parts.push(Buffer.from([0x00, 0xff, 0x43, 0x41]));
  good('led_intensity=255');
  return { bytes: Buffer.concat(parts), expected };
}

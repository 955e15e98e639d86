/**
 * ArduCAM Mini sketches (ArduCAM_Mini_2MP_Plus_functions and friends): one command byte each.
 * The sketch answers some bytes with an `ACK CMD … END` line and others (0x11, resolution bytes
 * while streaming) not at all, so silence within the timeout is reported as `sent 0x..`.
 */
import type { DeviceEvent } from '../protocol/types.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { actionVar, boolVar, type ControlVariable, enumVar, intVar } from './vocabulary.js';

/** OV2640 resolution bytes 0x00–0x08 of the sketch, with the CameraWebServer names that mean the same size. */
export const ARDUCAM_RESOLUTIONS: readonly { size: string; byte: number; alias?: string }[] = [
  { size: '160x120', byte: 0x00, alias: 'QQVGA' },
  { size: '176x144', byte: 0x01, alias: 'QCIF' },
  { size: '320x240', byte: 0x02, alias: 'QVGA' },
  { size: '352x288', byte: 0x03 },
  { size: '640x480', byte: 0x04, alias: 'VGA' },
  { size: '800x600', byte: 0x05, alias: 'SVGA' },
  { size: '1024x768', byte: 0x06, alias: 'XGA' },
  { size: '1280x1024', byte: 0x07, alias: 'SXGA' },
  { size: '1600x1200', byte: 0x08, alias: 'UXGA' },
];

export const ARDUCAM_CAPTURE = 0x10;
export const ARDUCAM_STREAM_START = 0x20;
export const ARDUCAM_STREAM_STOP = 0x21;
/** Light mode 0x40 + CameraWebServer wb_mode (0 auto, 1 sunny, 2 cloudy, 3 office, 4 home). */
const LIGHT_MODE_BASE = 0x40;
/** Saturation/brightness/contrast: base − level, level −2..2 (0x50 = +2 … 0x54 = −2). */
const SATURATION_ZERO = 0x52;
const BRIGHTNESS_ZERO = 0x62;
const CONTRAST_ZERO = 0x72;
/** CameraWebServer special_effect 0..6 → sketch effect byte (normal, negative, BW, reddish, greenish, bluish, antique). */
const EFFECT_BYTES = [0x87, 0x85, 0x84, 0x83, 0x82, 0x81, 0x80] as const;

const framesize = enumVar(
  'framesize',
  ARDUCAM_RESOLUTIONS.map((r) => r.size),
  new Map(
    ARDUCAM_RESOLUTIONS.flatMap((r) => [
      [r.size.toUpperCase(), r.size] as [string, string],
      [String(r.byte), r.size] as [string, string],
      ...(r.alias ? [[r.alias, r.size] as [string, string]] : []),
    ]),
  ),
);

interface ByteCommand {
  variable: ControlVariable;
  toByte(canonical: string | undefined): number;
}

const COMMANDS: readonly ByteCommand[] = [
  {
    variable: framesize,
    toByte: (v) => ARDUCAM_RESOLUTIONS.find((r) => r.size === v)!.byte,
  },
  { variable: boolVar('stream'), toByte: (v) => (v === '1' ? ARDUCAM_STREAM_START : ARDUCAM_STREAM_STOP) },
  { variable: actionVar('snapshot'), toByte: () => ARDUCAM_CAPTURE },
  { variable: intVar('wb_mode', 0, 4), toByte: (v) => LIGHT_MODE_BASE + Number(v) },
  { variable: intVar('saturation', -2, 2), toByte: (v) => SATURATION_ZERO - Number(v) },
  { variable: intVar('brightness', -2, 2), toByte: (v) => BRIGHTNESS_ZERO - Number(v) },
  { variable: intVar('contrast', -2, 2), toByte: (v) => CONTRAST_ZERO - Number(v) },
  { variable: intVar('special_effect', 0, 6), toByte: (v) => EFFECT_BYTES[Number(v)]! },
];

/** `ACK CMD … END` lines answer commands; `ACK IMG END` announces image data and does not. */
const ACK_CMD = /^ACK CMD\b/;

export function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

export class ArducamControlAdapter implements ControlAdapter {
  readonly supported: readonly string[] = COMMANDS.map((c) => c.variable.name);
  readonly silenceIsOk = true;

  prepare(variable: string, value: string | undefined): PreparedCommand {
    const cmd = COMMANDS.find((c) => c.variable.name === variable)!;
    const byte = cmd.toByte(cmd.variable.parse(value));
    return { bytes: Uint8Array.of(byte), sent: hexByte(byte) };
  }

  isOk(_reply: string): boolean {
    return true; // the sketch has no error answers: an ACK means it did it
  }

  match(event: DeviceEvent): string | undefined {
    if (event.type !== 'log' && event.type !== 'reply') return undefined;
    const text = event.text.trim();
    return ACK_CMD.test(text) ? text : undefined;
  }
}

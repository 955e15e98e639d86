/**
 * Arducam Mega "ArducamLink" UART commands: `55 cmd arg AA`. The stock firmware answers only
 * `info` (camera info text) and `snapshot` (the picture), so silence is reported as `sent …`.
 * Byte meanings follow the Arducam_Mega library enums (CAM_IMAGE_MODE, CAM_*_LEVEL, CAM_COLOR_FX).
 */
import type { DeviceEvent } from '../protocol/types.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { hexByte } from './arducam-adapter.js';
import { actionVar, boolVar, type ControlVariable, enumVar, intVar } from './vocabulary.js';

export const MEGA_SET_PICTURE_RESOLUTION = 0x01;
export const MEGA_SET_VIDEO_RESOLUTION = 0x02;
export const MEGA_SET_BRIGHTNESS = 0x03;
export const MEGA_SET_CONTRAST = 0x04;
export const MEGA_SET_SATURATION = 0x05;
export const MEGA_SET_EV = 0x06;
export const MEGA_SET_WHITEBALANCE = 0x07;
export const MEGA_SET_SPECIAL_EFFECTS = 0x08;
export const MEGA_GET_CAMERA_INFO = 0x0f;
export const MEGA_TAKE_PICTURE = 0x10;
export const MEGA_SET_SHARPNESS = 0x11;
export const MEGA_STOP_STREAM = 0x21;
export const MEGA_SET_IMAGE_QUALITY = 0x50;
/** Pixel format nibble for JPEG in SET_PICTURE_RESOLUTION (`(format << 4) | mode`). */
const MEGA_FORMAT_JPEG = 0x1;

/** CAM_IMAGE_MODE values, with the CameraWebServer names of the same size. */
export const MEGA_RESOLUTIONS: readonly { size: string; mode: number; alias?: string }[] = [
  { size: '160x120', mode: 0x00, alias: 'QQVGA' },
  { size: '320x240', mode: 0x01, alias: 'QVGA' },
  { size: '640x480', mode: 0x02, alias: 'VGA' },
  { size: '800x600', mode: 0x03, alias: 'SVGA' },
  { size: '1280x720', mode: 0x04, alias: 'HD' },
  { size: '1280x960', mode: 0x05 },
  { size: '1600x1200', mode: 0x06, alias: 'UXGA' },
  { size: '1920x1080', mode: 0x07, alias: 'FHD' },
  { size: '2048x1536', mode: 0x08, alias: 'QXGA' },
  { size: '2592x1944', mode: 0x09 },
  { size: '96x96', mode: 0x0a, alias: '96X96' },
  { size: '128x128', mode: 0x0b, alias: '128X128' },
  { size: '320x320', mode: 0x0c, alias: '320X320' },
];

/** `55 cmd args… AA`. */
export function megaBytes(cmd: number, ...args: number[]): Uint8Array {
  return Uint8Array.of(0x55, cmd, ...args, 0xaa);
}

/** Level −2..2 → Arducam level enum (0 default, 1 +1, 2 −1, 3 +2, 4 −2). */
function level(v: number): number {
  return v === 0 ? 0 : v > 0 ? 2 * v - 1 : -2 * v;
}

/** CameraWebServer special_effect 0..6 → CAM_COLOR_FX (none, negative, BW, reddish, grass green, blueish, sepia). */
const EFFECTS = [0, 5, 3, 2, 6, 1, 4] as const;
/** CameraWebServer wb_mode 0..4 (auto, sunny, cloudy, office, home) → CAM_WHITE_BALANCE (auto, sunny, office, cloudy, home). */
const WHITE_BALANCE = [0, 1, 3, 2, 4] as const;

const framesize = enumVar(
  'framesize',
  MEGA_RESOLUTIONS.map((r) => r.size),
  new Map(
    MEGA_RESOLUTIONS.flatMap((r) => [
      [r.size.toUpperCase(), r.size] as [string, string],
      ...(r.alias ? [[r.alias, r.size] as [string, string]] : []),
    ]),
  ),
);

interface MegaCommand {
  variable: ControlVariable;
  encode(canonical: string | undefined): Uint8Array;
}

function modeOf(size: string | undefined): number {
  return MEGA_RESOLUTIONS.find((r) => r.size === size)!.mode;
}

const COMMANDS: readonly MegaCommand[] = [
  {
    variable: framesize,
    encode: (v) => megaBytes(MEGA_SET_PICTURE_RESOLUTION, (MEGA_FORMAT_JPEG << 4) | modeOf(v)),
  },
  {
    // Stream start is SET_VIDEO_RESOLUTION (it starts the preview); 320x240 keeps a UART link fluid.
    variable: boolVar('stream'),
    encode: (v) =>
      v === '1' ? megaBytes(MEGA_SET_VIDEO_RESOLUTION, modeOf('320x240')) : megaBytes(MEGA_STOP_STREAM),
  },
  { variable: actionVar('snapshot'), encode: () => megaBytes(MEGA_TAKE_PICTURE) },
  { variable: actionVar('info'), encode: () => megaBytes(MEGA_GET_CAMERA_INFO) },
  { variable: intVar('brightness', -2, 2), encode: (v) => megaBytes(MEGA_SET_BRIGHTNESS, level(Number(v))) },
  { variable: intVar('contrast', -2, 2), encode: (v) => megaBytes(MEGA_SET_CONTRAST, level(Number(v))) },
  { variable: intVar('saturation', -2, 2), encode: (v) => megaBytes(MEGA_SET_SATURATION, level(Number(v))) },
  { variable: intVar('ae_level', -2, 2), encode: (v) => megaBytes(MEGA_SET_EV, level(Number(v))) },
  { variable: intVar('sharpness', 0, 8), encode: (v) => megaBytes(MEGA_SET_SHARPNESS, Number(v)) },
  {
    variable: intVar('wb_mode', 0, 4),
    encode: (v) => megaBytes(MEGA_SET_WHITEBALANCE, WHITE_BALANCE[Number(v)]!),
  },
  {
    variable: intVar('special_effect', 0, 6),
    encode: (v) => megaBytes(MEGA_SET_SPECIAL_EFFECTS, EFFECTS[Number(v)]!),
  },
  {
    // CameraWebServer quality is 4 (best) … 63; the Mega has 0 high, 1 default, 2 low.
    variable: intVar('quality', 4, 63),
    encode: (v) => megaBytes(MEGA_SET_IMAGE_QUALITY, Number(v) <= 10 ? 0 : Number(v) <= 30 ? 1 : 2),
  },
];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, hexByte).join(' ');
}

export class ArducamMegaControlAdapter implements ControlAdapter {
  readonly supported: readonly string[] = COMMANDS.map((c) => c.variable.name);
  readonly silenceIsOk = true;

  prepare(variable: string, value: string | undefined): PreparedCommand {
    const cmd = COMMANDS.find((c) => c.variable.name === variable)!;
    const bytes = cmd.encode(cmd.variable.parse(value));
    return { bytes, sent: hex(bytes) };
  }

  isOk(reply: string): boolean {
    return !/^(error|err)\b/i.test(reply);
  }

  match(event: DeviceEvent): string | undefined {
    return event.type === 'reply' ? event.text : undefined;
  }
}

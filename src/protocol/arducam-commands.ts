/**
 * Host → ArduCAM Mini commands: one byte each, as read by `Serial.read()` in the
 * ArduCAM `*_functions` / `*_Video_Streaming` sketches. The byte values below are
 * those sketches' `switch` cases. Resolution and image-setting bytes differ by
 * sensor family: OV2640 (2MP, 2MP Plus) and OV5642 (5MP, 5MP Plus).
 */

/** Bytes that mean the same on every sketch. */
export const ARDUCAM_COMMANDS = {
  /** Capture one JPEG: `ACK CMD CAM start single shoot. END`, then `… Capture Done. END`, length, `ACK IMG END`, JPEG. */
  capture: 0x10,
  /** Switch the sensor back to JPEG output (after BMP). No reply. */
  jpegMode: 0x11,
  /** Continuous JPEGs, each after `ACK IMG END\r\n`, until `streamStop`. */
  streamStart: 0x20,
  /** Stop streaming: `ACK CMD CAM stop video streaming. END`. */
  streamStop: 0x21,
  /** Capture one 320×240 RGB565 BMP (`FF AA`, BMP header, pixels, `BB CC`); the gateway does not decode it. */
  bmpCapture: 0x30,
  /** Switch the sensor to BMP (raw) output. */
  bmpMode: 0x31,
} as const;

export type ArducamSensor = 'ov2640' | 'ov5642';

/** Resolution names in command-byte order: the byte is the index. */
export const ARDUCAM_RESOLUTIONS: Readonly<Record<ArducamSensor, readonly string[]>> = {
  ov2640: [
    '160x120',
    '176x144',
    '320x240',
    '352x288',
    '640x480',
    '800x600',
    '1024x768',
    '1280x1024',
    '1600x1200',
  ],
  ov5642: ['320x240', '640x480', '1024x768', '1280x960', '1600x1200', '2048x1536', '2592x1944'],
};

/** Light modes (white balance presets) in byte order from 0x40. */
export const ARDUCAM_LIGHT_MODES: Readonly<Record<ArducamSensor, readonly string[]>> = {
  ov2640: ['auto', 'sunny', 'cloudy', 'office', 'home'],
  ov5642: ['advanced_awb', 'simple_awb', 'manual_day', 'manual_a', 'manual_cwf', 'manual_cloudy'],
};

/** Special effects in byte order from `ARDUCAM_EFFECTS_BASE[sensor]`. */
export const ARDUCAM_EFFECTS: Readonly<Record<ArducamSensor, readonly string[]>> = {
  ov2640: ['antique', 'bluish', 'greenish', 'reddish', 'bw', 'negative', 'bwnegative', 'normal'],
  ov5642: ['normal', 'bw', 'bluish', 'sepia', 'reddish', 'greenish', 'negative'],
};
export const ARDUCAM_EFFECTS_BASE: Readonly<Record<ArducamSensor, number>> = { ov2640: 0x80, ov5642: 0x90 };

/** Graded settings: the byte for level L is base + (max − L), i.e. the highest level has the lowest byte. */
export const ARDUCAM_LEVELS = {
  saturation: 0x50,
  brightness: 0x60,
  contrast: 0x70,
} as const;
export type ArducamLevelSetting = keyof typeof ARDUCAM_LEVELS;
/** Largest level per family: OV2640 −2…+2, OV5642 −4…+4. */
export const ARDUCAM_LEVEL_MAX: Readonly<Record<ArducamSensor, number>> = { ov2640: 2, ov5642: 4 };

function indexOf(list: readonly string[], name: string, what: string, sensor: ArducamSensor): number {
  const i = list.indexOf(name.toLowerCase());
  if (i < 0) throw new RangeError(`unknown ${sensor} ${what} "${name}"; one of: ${list.join(', ')}`);
  return i;
}

/** Byte selecting a JPEG resolution, e.g. `arducamResolution('ov2640', '640x480')` → 0x04. */
export function arducamResolution(sensor: ArducamSensor, size: string): number {
  return indexOf(ARDUCAM_RESOLUTIONS[sensor], size, 'resolution', sensor);
}

/** Byte selecting a light mode, e.g. `arducamLightMode('ov2640', 'sunny')` → 0x41. */
export function arducamLightMode(sensor: ArducamSensor, mode: string): number {
  return 0x40 + indexOf(ARDUCAM_LIGHT_MODES[sensor], mode, 'light mode', sensor);
}

/** Byte selecting a special effect, e.g. `arducamEffect('ov2640', 'bw')` → 0x84. */
export function arducamEffect(sensor: ArducamSensor, effect: string): number {
  return ARDUCAM_EFFECTS_BASE[sensor] + indexOf(ARDUCAM_EFFECTS[sensor], effect, 'effect', sensor);
}

/** Byte for saturation / brightness / contrast level, e.g. `arducamLevel('ov2640', 'brightness', 1)` → 0x61. */
export function arducamLevel(sensor: ArducamSensor, setting: ArducamLevelSetting, level: number): number {
  const max = ARDUCAM_LEVEL_MAX[sensor];
  if (!Number.isInteger(level) || level < -max || level > max) {
    throw new RangeError(
      `${sensor} ${setting} must be an integer from ${-max} to ${max}, got ${String(level)}`,
    );
  }
  return ARDUCAM_LEVELS[setting] + (max - level);
}

/** The bytes to write for one command byte. */
export function arducamCommand(byte: number): Uint8Array {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new RangeError(`ArduCAM command must be a byte (0-255), got ${String(byte)}`);
  }
  return Uint8Array.of(byte);
}

/**
 * Host → ArduCAM Mini commands: one byte each, as read by `Serial.read()` in the ArduCAM
 * `examples/mini` sketches (`*_functions`, `*_Video_Streaming`). Capture and stream bytes are
 * the same on every sketch; resolution and image-setting bytes depend on the sensor, and each
 * sensor's table below is that sketch's `switch`: OV2640 (2MP, 2MP Plus), OV5642 (5MP, 5MP
 * Plus) and OV5640 (5MP Plus OV5640). Lists of settings are in CameraWebServer order
 * (`wb_mode` 0 auto, 1 sunny, 2 cloudy, 3 office, 4 home; `special_effect` 0 none, 1 negative,
 * 2 grayscale, 3 red, 4 green, 5 blue, 6 sepia) where the sensor has that setting.
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

export type ArducamSensor = 'ov2640' | 'ov5642' | 'ov5640';
export const ARDUCAM_SENSORS: readonly ArducamSensor[] = ['ov2640', 'ov5642', 'ov5640'];

export type ArducamLevelSetting = 'saturation' | 'brightness' | 'contrast' | 'ae_level';

/** A graded setting: levels −max…+max (or min…max), the byte for each. */
interface Level {
  readonly min: number;
  readonly max: number;
  byte(level: number): number;
}

/** Byte for level L when the highest level has the lowest byte: base + (max − L). */
function descending(base: number, max: number): Level {
  return { min: -max, max, byte: (level) => base + (max - level) };
}

interface SensorTable {
  /** JPEG sizes; the command byte is the index. */
  readonly resolutions: readonly string[];
  /** Light modes (white-balance presets): name and byte. */
  readonly lightModes: readonly { readonly name: string; readonly byte: number }[];
  /** Special effects: name and byte. */
  readonly effects: readonly { readonly name: string; readonly byte: number }[];
  readonly levels: Readonly<Partial<Record<ArducamLevelSetting, Level>>>;
}

function run(base: number, names: readonly string[]): { name: string; byte: number }[] {
  return names.map((name, i) => ({ name, byte: base + i }));
}

function named(
  table: Readonly<Record<string, number>>,
  order: readonly string[],
): { name: string; byte: number }[] {
  return order.map((name) => ({ name, byte: table[name]! }));
}

export const SENSOR_TABLES: Readonly<Record<ArducamSensor, SensorTable>> = {
  ov2640: {
    resolutions: [
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
    lightModes: run(0x40, ['auto', 'sunny', 'cloudy', 'office', 'home']),
    // Bytes 0x80.. are antique, bluish, greenish, reddish, bw, negative, bwnegative, normal.
    effects: named(
      {
        antique: 0x80,
        bluish: 0x81,
        greenish: 0x82,
        reddish: 0x83,
        bw: 0x84,
        negative: 0x85,
        bwnegative: 0x86,
        normal: 0x87,
      },
      ['normal', 'negative', 'bw', 'reddish', 'greenish', 'bluish', 'antique', 'bwnegative'],
    ),
    levels: {
      saturation: descending(0x50, 2),
      brightness: descending(0x60, 2),
      contrast: descending(0x70, 2),
    },
  },
  ov5642: {
    resolutions: ['320x240', '640x480', '1024x768', '1280x960', '1600x1200', '2048x1536', '2592x1944'],
    lightModes: run(0x40, [
      'advanced_awb',
      'simple_awb',
      'manual_day',
      'manual_a',
      'manual_cwf',
      'manual_cloudy',
    ]),
    // Bytes 0x90.. are normal, bw, bluish, sepia, reddish, greenish, negative (0x80.. is hue).
    effects: named(
      { normal: 0x90, bw: 0x91, bluish: 0x92, sepia: 0x93, reddish: 0x94, greenish: 0x95, negative: 0x96 },
      ['normal', 'negative', 'bw', 'reddish', 'greenish', 'bluish', 'sepia'],
    ),
    levels: {
      saturation: descending(0x50, 4),
      brightness: descending(0x60, 4),
      contrast: descending(0x70, 4),
    },
  },
  ov5640: {
    resolutions: [
      '320x240',
      '352x288',
      '640x480',
      '800x480',
      '1024x768',
      '1280x960',
      '1600x1200',
      '2048x1536',
      '2592x1944',
    ],
    // Bytes 0x80.. are auto, sunny, office, cloudy, home.
    lightModes: named({ auto: 0x80, sunny: 0x81, office: 0x82, cloudy: 0x83, home: 0x84 }, [
      'auto',
      'sunny',
      'cloudy',
      'office',
      'home',
    ]),
    // Bytes 0x90.. are normal, blueish, reddish, bw, sepia, negative, greenish, overexposure, solarize.
    effects: named(
      {
        normal: 0x90,
        bluish: 0x91,
        reddish: 0x92,
        bw: 0x93,
        sepia: 0x94,
        negative: 0x95,
        greenish: 0x96,
        overexposure: 0x97,
        solarize: 0x98,
      },
      ['normal', 'negative', 'bw', 'reddish', 'greenish', 'bluish', 'sepia', 'overexposure', 'solarize'],
    ),
    levels: {
      brightness: descending(0x40, 4),
      contrast: descending(0x50, 3),
      saturation: descending(0x60, 3),
      // 0x70 EV+3 … 0x75 EV−2; the sketch repeats EV−2 at 0x76 and puts EV−3 at 0x77.
      ae_level: { min: -3, max: 3, byte: (level) => (level >= -2 ? 0x73 - level : 0x77) },
    },
  },
};

function indexOf(list: readonly string[], name: string, what: string, sensor: ArducamSensor): number {
  const i = list.indexOf(name.toLowerCase());
  if (i < 0) throw new RangeError(`unknown ${sensor} ${what} "${name}"; one of: ${list.join(', ')}`);
  return i;
}

function byName(
  list: readonly { name: string; byte: number }[],
  name: string,
  what: string,
  sensor: ArducamSensor,
): number {
  return list[
    indexOf(
      list.map((e) => e.name),
      name,
      what,
      sensor,
    )
  ]!.byte;
}

/** Byte selecting a JPEG resolution, e.g. `arducamResolution('ov2640', '640x480')` → 0x04. */
export function arducamResolution(sensor: ArducamSensor, size: string): number {
  return indexOf(SENSOR_TABLES[sensor].resolutions, size, 'resolution', sensor);
}

/** Byte selecting a light mode, e.g. `arducamLightMode('ov2640', 'sunny')` → 0x41. */
export function arducamLightMode(sensor: ArducamSensor, mode: string): number {
  return byName(SENSOR_TABLES[sensor].lightModes, mode, 'light mode', sensor);
}

/** Byte selecting a special effect, e.g. `arducamEffect('ov2640', 'bw')` → 0x84. */
export function arducamEffect(sensor: ArducamSensor, effect: string): number {
  return byName(SENSOR_TABLES[sensor].effects, effect, 'effect', sensor);
}

/** Byte for a graded setting, e.g. `arducamLevel('ov2640', 'brightness', 1)` → 0x61. */
export function arducamLevel(sensor: ArducamSensor, setting: ArducamLevelSetting, level: number): number {
  const l = SENSOR_TABLES[sensor].levels[setting];
  if (!l) throw new RangeError(`the ${sensor} sketch has no ${setting} setting`);
  if (!Number.isInteger(level) || level < l.min || level > l.max) {
    throw new RangeError(
      `${sensor} ${setting} must be an integer from ${l.min} to ${l.max}, got ${String(level)}`,
    );
  }
  return l.byte(level);
}

/** The bytes to write for one command byte. */
export function arducamCommand(byte: number): Uint8Array {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new RangeError(`ArduCAM command must be a byte (0-255), got ${String(byte)}`);
  }
  return Uint8Array.of(byte);
}

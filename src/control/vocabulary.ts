/**
 * The control vocabulary: variable names and values as the ESP32 CameraWebServer
 * `/control?var=…&val=…` uses them, plus `stream`, `snapshot` and `info`. Each entry
 * validates a value and returns its canonical text (what goes on the wire), or throws
 * a ControlError 400 naming the allowed values.
 */
import { ControlError } from '../stream/camera-api.js';

export interface ControlVariable {
  readonly name: string;
  /** Human description of the allowed values, used in error messages and docs. */
  readonly values: string;
  /** Validate `value` and return its canonical form (`undefined` for valueless commands). */
  parse(value: string | undefined): string | undefined;
}

function badValue(name: string, value: string | undefined, allowed: string): ControlError {
  const got = value === undefined ? 'no value' : `"${value}"`;
  return new ControlError(`bad value ${got} for ${name}: expected ${allowed}`, 400);
}

/** An integer in [min, max]. */
export function intVar(name: string, min: number, max: number): ControlVariable {
  const values = `an integer ${min}..${max}`;
  return {
    name,
    values,
    parse(value) {
      const v = value?.trim();
      if (v === undefined || !/^[-+]?\d{1,6}$/.test(v)) throw badValue(name, value, values);
      const n = Number(v);
      if (n < min || n > max) throw badValue(name, value, values);
      return String(n);
    },
  };
}

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

/** 0 or 1 (also true/false, on/off, yes/no), sent as `0` / `1`. */
export function boolVar(name: string): ControlVariable {
  const values = '0 or 1';
  return {
    name,
    values,
    parse(value) {
      const v = value?.trim().toLowerCase();
      if (v !== undefined && TRUE_WORDS.has(v)) return '1';
      if (v !== undefined && FALSE_WORDS.has(v)) return '0';
      throw badValue(name, value, values);
    },
  };
}

/** A command without a value (`snapshot`, `info`); an empty value is accepted too. */
export function actionVar(name: string): ControlVariable {
  return {
    name,
    values: 'no value',
    parse(value) {
      if (value === undefined || value === '') return undefined;
      throw badValue(name, value, 'no value');
    },
  };
}

/** One of a list of names (case-insensitive), or an alias mapping to one of them. */
export function enumVar(
  name: string,
  names: readonly string[],
  aliases: ReadonlyMap<string, string>,
): ControlVariable {
  const values = `one of ${names.join(', ')}`;
  const byUpper = new Map(names.map((n) => [n.toUpperCase(), n]));
  return {
    name,
    values,
    parse(value) {
      const v = value?.trim();
      if (v === undefined || v === '') throw badValue(name, value, values);
      const hit = byUpper.get(v.toUpperCase()) ?? aliases.get(v.toUpperCase());
      if (hit === undefined) throw badValue(name, value, values);
      return hit;
    },
  };
}

/**
 * esp32-camera `framesize_t` names up to UXGA (2 MP, the OV2640's maximum), with their sizes.
 * The numeric indices are the ones the classic CameraWebServer page sends (esp32-camera before
 * Nov 2024: 0 = 96X96 … 13 = UXGA); the gateway always sends the *name*, so firmware built
 * against a newer driver (which inserted 128X128 and 320X320) still gets what was meant.
 */
export const FRAMESIZES: readonly { name: string; width: number; height: number; index: number }[] = [
  { name: '96X96', width: 96, height: 96, index: 0 },
  { name: 'QQVGA', width: 160, height: 120, index: 1 },
  { name: 'QCIF', width: 176, height: 144, index: 2 },
  { name: 'HQVGA', width: 240, height: 176, index: 3 },
  { name: '240X240', width: 240, height: 240, index: 4 },
  { name: 'QVGA', width: 320, height: 240, index: 5 },
  { name: 'CIF', width: 400, height: 296, index: 6 },
  { name: 'HVGA', width: 480, height: 320, index: 7 },
  { name: 'VGA', width: 640, height: 480, index: 8 },
  { name: 'SVGA', width: 800, height: 600, index: 9 },
  { name: 'XGA', width: 1024, height: 768, index: 10 },
  { name: 'HD', width: 1280, height: 720, index: 11 },
  { name: 'SXGA', width: 1280, height: 1024, index: 12 },
  { name: 'UXGA', width: 1600, height: 1200, index: 13 },
];

function framesizeAliases(): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of FRAMESIZES) {
    m.set(String(f.index), f.name);
    m.set(`${f.width}X${f.height}`, f.name);
  }
  return m;
}

/** `framesize`: a CameraWebServer name (VGA), its classic index (8) or WIDTHxHEIGHT (640x480). */
export const framesizeVar: ControlVariable = enumVar(
  'framesize',
  FRAMESIZES.map((f) => f.name),
  framesizeAliases(),
);

/** The full vocabulary a CAMF device (the reference ESP32-CAM firmware) accepts, in display order. */
export const CAMERA_WEB_SERVER_VARIABLES: readonly ControlVariable[] = [
  framesizeVar,
  intVar('quality', 4, 63),
  intVar('brightness', -2, 2),
  intVar('contrast', -2, 2),
  intVar('saturation', -2, 2),
  intVar('sharpness', -2, 2),
  intVar('denoise', 0, 8),
  intVar('special_effect', 0, 6),
  intVar('wb_mode', 0, 4),
  boolVar('awb'),
  boolVar('awb_gain'),
  boolVar('aec'),
  boolVar('aec2'),
  intVar('ae_level', -2, 2),
  intVar('aec_value', 0, 1200),
  boolVar('agc'),
  intVar('agc_gain', 0, 30),
  intVar('gainceiling', 0, 6),
  boolVar('bpc'),
  boolVar('wpc'),
  boolVar('raw_gma'),
  boolVar('lenc'),
  boolVar('hmirror'),
  boolVar('vflip'),
  boolVar('dcw'),
  boolVar('colorbar'),
  intVar('led_intensity', 0, 255),
  boolVar('stream'),
  actionVar('snapshot'),
  actionVar('info'),
];

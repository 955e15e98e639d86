/**
 * Every option of the gateway in one table: its flag, what it takes, its default,
 * its one line of help and its one validation. The CLI parses flags with it, the
 * library (`createGateway`) validates typed values with the same checks, and
 * `--help` is generated from it — so a default or a rule lives in one place.
 */
import { LOG_LEVELS, type LogLevel } from './log.js';
import { PROTOCOL_OPTIONS, PROTOCOLS, type ProtocolOption } from './protocol/registry.js';
import { checkMaxFrameBytes, DEFAULT_MAX_FRAME_BYTES } from './protocol/types.js';

/** A configuration value that is not allowed; the message names the option and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Help sections, in order. */
export type OptionGroup = 'camera' | 'serial' | 'http' | 'output' | 'other';

export interface OptionSpec<T> {
  readonly group: OptionGroup;
  /** Placeholder of the value in help (`N`, `FILE`); absent: a switch that takes no value. */
  readonly value?: string;
  /** May be given several times. */
  readonly multiple?: boolean;
  readonly short?: string;
  /** The default, as help shows it. */
  readonly shown?: string;
  /** One line. */
  readonly help: string;
  /** Text → value, validated; throws ConfigError naming `name` (`--baud`). */
  readonly parse?: (raw: string, name: string) => T;
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** All variants any protocol's controls come in (`--sensor`). */
export const SENSORS: readonly string[] = PROTOCOLS.flatMap((p) =>
  p.controls && p.controls.variants.length > 1 ? p.controls.variants : [],
);

// ── checks shared by the CLI (after parsing text) and the library (typed values) ──────────────

export function checkWholeNumber(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkSeconds(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`${name} must be a number of seconds > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkOneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(' | ')}, got "${value}"`);
  }
  return value as T;
}

export function checkCameraName(name: string): string {
  if (!NAME.test(name))
    throw new ConfigError(`camera name "${name}" must be 1-32 letters, digits, "-" or "_"`);
  return name;
}

export function checkMaxFrame(value: number, name: string): number {
  try {
    return checkMaxFrameBytes(value, name);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

// ── text parsers ──────────────────────────────────────────────────────────────────────────────

function wholeNumberText(raw: string, name: string, min: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return checkWholeNumber(Number(raw), name, min);
}

function secondsText(raw: string, name: string): number {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!(n > 0) || !Number.isFinite(n))
    throw new ConfigError(`${name} must be a number of seconds > 0, got "${raw}"`);
  return n;
}

/** `on|off` (also true/false, 1/0) → boolean. */
export function parseOnOff(raw: string, name: string): boolean {
  const v = raw.toLowerCase();
  if (v === 'on' || v === 'true' || v === '1') return true;
  if (v === 'off' || v === 'false' || v === '0') return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

/** `[HOST:]PORT` → host and port. */
export function parseListen(raw: string, name = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$|^(\d+)$/.exec(raw);
  if (!m) throw new ConfigError(`${name} must be [HOST:]PORT (e.g. 8080 or 0.0.0.0:8080), got "${raw}"`);
  const host = m[1] ?? m[2] ?? DEFAULT_HOST;
  const port = Number(m[3] ?? m[4]);
  if (!Number.isInteger(port) || port > 65_535)
    throw new ConfigError(`${name} port must be 0-65535, got "${raw}"`);
  return { host, port };
}

/** `[NAME=]PATH` → name and path. */
export function parsePortSpec(raw: string, name = '--port'): { name?: string; path: string } {
  const eq = raw.indexOf('=');
  if (eq < 0) {
    if (raw === '') throw new ConfigError(`${name} needs a device path, e.g. /dev/ttyUSB0`);
    return { path: raw };
  }
  const camera = raw.slice(0, eq);
  const path = raw.slice(eq + 1);
  if (!NAME.test(camera) || path === '') {
    throw new ConfigError(
      `${name} must be [NAME=]PATH with NAME made of letters, digits, "-", "_"; got "${raw}"`,
    );
  }
  return { name: camera, path };
}

/** `USER:PASS` → credentials. */
export function parseAuth(raw: string, name = '--auth'): { username: string; password: string } {
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1)
    throw new ConfigError(`${name} must be USER:PASS with both parts non-empty`);
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) };
}

function nonEmpty(what: string) {
  return (raw: string, name: string): string => {
    if (raw === '') throw new ConfigError(`${name} needs ${what}`);
    return raw;
  };
}

// ── the table ─────────────────────────────────────────────────────────────────────────────────

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/** Every flag. Keys are the flag names without `--`. */
export const OPTIONS = {
  port: {
    group: 'camera',
    value: '[NAME=]PATH',
    multiple: true,
    help: 'serial device; repeat for several cameras (cam0, cam1…)',
    parse: parsePortSpec,
  },
  demo: { group: 'camera', help: 'no hardware: replay the bundled recording' },
  replay: {
    group: 'camera',
    value: 'FILE',
    help: 'replay a recorded device byte stream (paced at --baud)',
    parse: nonEmpty('a file name'),
  },
  protocol: {
    group: 'camera',
    value: 'P',
    shown: 'auto',
    help: PROTOCOL_OPTIONS.join(' | '),
    parse: (raw: string, name: string): ProtocolOption => checkOneOf(raw, name, PROTOCOL_OPTIONS),
  },
  sensor: {
    group: 'camera',
    value: 'S',
    help: `force the ArduCAM sensor (${SENSORS.join(' | ')}); default: its greeting`,
    parse: (raw: string, name: string): string => checkOneOf(raw.toLowerCase(), name, SENSORS),
  },
  'max-frame-bytes': {
    group: 'camera',
    value: 'N',
    shown: String(DEFAULT_MAX_FRAME_BYTES),
    help: 'largest accepted frame',
    parse: (raw: string, name: string): number => checkMaxFrame(wholeNumberText(raw, name, 0), name),
  },
  ring: {
    group: 'camera',
    value: 'N',
    shown: '10',
    help: 'frames kept per camera',
    parse: (raw: string, name: string): number => wholeNumberText(raw, name, 1),
  },
  'idle-stop': {
    group: 'camera',
    value: 'SECONDS',
    help: 'stop the device stream after that long without viewers',
    parse: secondsText,
  },
  baud: {
    group: 'serial',
    value: 'N',
    shown: '921600',
    help: 'baud rate (USB-CDC devices ignore it)',
    parse: (raw: string, name: string): number => wholeNumberText(raw, name, 50),
  },
  dtr: {
    group: 'serial',
    value: 'on|off',
    shown: 'off',
    help: 'DTR after opening (off: an ESP32 runs)',
    parse: parseOnOff,
  },
  rts: {
    group: 'serial',
    value: 'on|off',
    shown: 'off',
    help: 'RTS after opening (off: an ESP32 runs)',
    parse: parseOnOff,
  },
  reset: { group: 'serial', help: 'pulse RTS after opening (esptool hard reset)' },
  record: {
    group: 'serial',
    value: 'FILE',
    help: 'also append every byte read from the port to FILE',
    parse: nonEmpty('a file name'),
  },
  list: { group: 'serial', help: 'list serial ports (path, by-id, VID:PID, board), exit' },
  listen: {
    group: 'http',
    value: '[HOST:]PORT',
    shown: `${DEFAULT_HOST}:${DEFAULT_PORT}`,
    help: 'where to serve HTTP',
    parse: parseListen,
  },
  auth: {
    group: 'http',
    value: 'USER:PASS',
    help: 'HTTP basic auth (better: env CAM_GATEWAY_AUTH)',
    parse: parseAuth,
  },
  cors: {
    group: 'http',
    value: 'ORIGIN',
    help: "allow this origin (e.g. '*') to fetch the API",
    parse: nonEmpty('an origin, e.g. * or http://example.com'),
  },
  pacing: {
    group: 'http',
    value: 'on|off',
    shown: 'on',
    help: 'send a slow stream client frames as it reads them (Linux)',
    parse: parseOnOff,
  },
  quiet: { group: 'output', help: 'errors only' },
  'log-level': {
    group: 'output',
    value: 'L',
    shown: 'info',
    help: LOG_LEVELS.join(' | '),
    parse: (raw: string, name: string): LogLevel => checkOneOf(raw, name, LOG_LEVELS),
  },
  help: { group: 'other', short: 'h', help: 'this text' },
  version: { group: 'other', short: 'V', help: 'print the version' },
} as const satisfies Record<string, OptionSpec<unknown>>;

export type OptionName = keyof typeof OPTIONS;

/** The defaults, each in one place (the table's `shown` is their text). */
export const DEFAULTS = {
  host: DEFAULT_HOST,
  port: DEFAULT_PORT,
  baudRate: 921_600,
  /** Demo pace: 2 Mbaud = 200 000 bytes/s, about 30 of the demo's ~6 kB QVGA frames per second. */
  demoBaudRate: 2_000_000,
  protocol: 'auto' as ProtocolOption,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  ringSize: 10,
  logLevel: 'info' as LogLevel,
} as const;

const GROUP_TITLES: Readonly<Record<OptionGroup, string>> = {
  camera: 'Cameras',
  serial: 'Serial ports',
  http: 'HTTP',
  output: 'Output',
  other: 'Other',
};

/** `left` then `right` in a column at 24, wrapped at spaces to stay within 80 columns. */
function wrap(left: string, right: string): string[] {
  const out: string[] = [];
  let line = left.length >= 24 ? `${left}\n${' '.repeat(24)}` : left.padEnd(24);
  let width = line.length - line.lastIndexOf('\n') - 1;
  for (const word of right.split(' ')) {
    if (width + word.length > 80 && width > 24) {
      out.push(line.trimEnd());
      line = ' '.repeat(24);
      width = 24;
    }
    line += `${word} `;
    width += word.length + 1;
  }
  out.push(line.trimEnd());
  return out;
}

/** `--help`, generated from the table: one line per option, grouped, ≤ 80 columns. */
export function helpText(version: string): string {
  const lines = [
    `cam-gateway ${version}: serial/USB camera → MJPEG over HTTP`,
    '',
    'Usage: cam-gateway [options]',
  ];
  for (const group of Object.keys(GROUP_TITLES) as OptionGroup[]) {
    lines.push(`${GROUP_TITLES[group]}:`);
    for (const [flag, spec] of Object.entries(OPTIONS) as [string, OptionSpec<unknown>][]) {
      if (spec.group !== group) continue;
      const left = `  --${flag}${spec.value ? ` ${spec.value}` : ''}`;
      const right = spec.shown ? `${spec.help}; default ${spec.shown}` : spec.help;
      lines.push(...wrap(left, right));
    }
  }
  lines.push(
    '',
    'Without --port/--demo/--replay, the one camera-like USB port present is used.',
    `Open http://${DEFAULT_HOST}:${DEFAULT_PORT}/ to watch; /stream is MJPEG, /snapshot one JPEG.`,
  );
  return lines.join('\n');
}

/** Is this a loopback address (safe to serve without auth)? */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

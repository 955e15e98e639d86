/**
 * Every option of the gateway in one table: its flag, what it takes, its default,
 * its one line of help and its one validation. The CLI parses flags with it, the
 * library (`createGateway`) validates typed values with the same checks, and
 * `--help` is generated from it — so a default or a rule lives in one place.
 * It is longer than ~350 lines: the table is one piece because every flag lives in it.
 */
import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { PROTOCOL_OPTIONS, PROTOCOLS, type ProtocolOption } from './protocol/registry.js';
import { checkMaxFrameBytes, DEFAULT_MAX_FRAME_BYTES } from './protocol/types.js';
import { parseMqttUrl } from './sinks/mqtt/address.js';
import { parseNatsUrl } from './sinks/nats/address.js';
import { type KeepLimit, parseKeep } from './sinks/nats/keep.js';
import { checkSiteName } from './sinks/nats/subjects.js';
import {
  parseMinFree,
  parseKeep as parseRecordingKeep,
  RECORDING_DEFAULTS,
} from './sinks/recording/limits.js';

/** A configuration value that is not allowed; the message names the option and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Help sections, in order. */
export type OptionGroup = 'camera' | 'serial' | 'http' | 'recording' | 'bus' | 'output' | 'other';

export interface OptionSpec<T> {
  readonly group: OptionGroup;
  /** Placeholder of the value in help (`N`, `FILE`); absent: a switch that takes no value. */
  readonly value?: string;
  /** May be given several times. */
  readonly multiple?: boolean;
  /** The value may be left out (`--stdout` or `--stdout NAME`); then it parses ''. */
  readonly optionalValue?: boolean;
  readonly short?: string;
  /** The default, as help shows it. */
  readonly shown?: string;
  /** One line. */
  readonly help: string;
  /** Text → value, validated; throws ConfigError naming `name` (`--baud`). */
  readonly parse?: (raw: string, name: string) => T;
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;

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

/** A host name for `--allow-host` (or `allowHosts`): a DNS name, an IP address, or `*` for any. */
export function checkHostName(raw: string, name: string): string {
  const host = raw.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === '*' || isIP(host) !== 0 || HOST_NAME.test(host)) return host;
  throw new ConfigError(
    `${name} must be a host name like cam.example.com (no scheme or port), an IP address or *, got "${raw}"`,
  );
}

/** `check()`'s value; anything it throws becomes a ConfigError with the same message. */
export function asConfigError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
}

export function checkMaxFrame(value: number, name: string): number {
  return asConfigError(() => checkMaxFrameBytes(value, name));
}

/** A check of the sinks (plain `Error` saying what is allowed) as a ConfigError naming the option. */
function named<T>(check: (raw: string) => T): (raw: string, name: string) => T {
  return (raw, name) => {
    try {
      return check(raw);
    } catch (err) {
      throw new ConfigError(`${name} ${(err as Error).message}`);
    }
  };
}

export const checkSite = named(checkSiteName);

/** A URL checked by `parse` (which throws what is wrong), kept as given. */
function checkedUrl(parse: (raw: string) => unknown): (raw: string, name: string) => string {
  return named((raw: string): string => {
    parse(raw);
    return raw;
  });
}

/** The library's `keep` ({frames} or {seconds}, whole numbers ≥ 1). */
export function checkKeep(keep: KeepLimit, name: string): KeepLimit {
  const n = 'frames' in keep ? keep.frames : keep.seconds;
  checkWholeNumber(n, name, 1);
  return keep;
}

/** Frames per second for a sink: 0.01 to 30. */
export function checkSinkFps(value: number, name: string): number {
  if (!(value >= 0.01 && value <= 30)) {
    throw new ConfigError(
      `${name} must be a number of frames per second from 0.01 to 30, got ${JSON.stringify(value)}`,
    );
  }
  return value;
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
  // `0:8080` is how many people write "every interface".
  const host = m[2] === '0' ? '0.0.0.0' : (m[1] ?? m[2] ?? DEFAULT_HOST);
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

/** Seconds ≥ 0, where 0 turns the thing off. */
function secondsOrOffText(raw: string, name: string): number {
  return /^0+(\.0+)?$/.test(raw) ? 0 : secondsText(raw, name);
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
  'allow-host': {
    group: 'http',
    value: 'NAME',
    multiple: true,
    help: 'also answer requests addressed to NAME (repeat; * for any)',
    parse: checkHostName,
  },
  'max-clients': {
    group: 'http',
    value: 'N',
    shown: 'from the open-file limit',
    help: 'open HTTP connections at most; more are answered 503',
    parse: (raw: string, name: string): number => wholeNumberText(raw, name, 1),
  },
  cors: {
    group: 'http',
    value: 'ORIGIN',
    help: "allow this origin (e.g. '*') to fetch the API",
    parse: nonEmpty('an origin, e.g. * or http://example.com'),
  },
  'tls-cert': {
    group: 'http',
    value: 'FILE',
    help: 'serve HTTPS (and HTTP/2) with this PEM certificate',
    parse: nonEmpty('a file name'),
  },
  'tls-key': {
    group: 'http',
    value: 'FILE',
    help: "the private key of --tls-cert's certificate (PEM)",
    parse: nonEmpty('a file name'),
  },
  save: {
    group: 'recording',
    value: 'DIR',
    help: 'record every camera into DIR/NAME/YYYY-MM-DD/HHMMSS.mkv',
    parse: nonEmpty('a folder'),
  },
  segment: {
    group: 'recording',
    value: 'SECONDS',
    shown: String(RECORDING_DEFAULTS.segmentSeconds),
    help: 'start a new file this often (and at local midnight)',
    parse: secondsText,
  },
  keep: {
    group: 'recording',
    value: 'SIZE|AGE',
    help: 'delete the oldest files beyond this: 50GB, 14d or 50GB,14d',
    parse: (raw: string, name: string) => asConfigError(() => parseRecordingKeep(raw, name)),
  },
  'min-free': {
    group: 'recording',
    value: 'SIZE|PCT',
    shown: '1GB,5%',
    help: 'pause recording below this free space (the larger of the two)',
    parse: (raw: string, name: string) => asConfigError(() => parseMinFree(raw, name)),
  },
  timelapse: {
    group: 'recording',
    value: 'SECONDS',
    help: 'store one JPEG per camera this often, in DIR/NAME/timelapse/',
    parse: secondsText,
  },
  preroll: {
    group: 'recording',
    value: 'SECONDS',
    shown: String(RECORDING_DEFAULTS.prerollSeconds),
    help: 'recent seconds kept per camera for clips (≤ 64 MB; 0: off)',
    parse: secondsOrOffText,
  },
  publish: {
    group: 'bus',
    value: 'URL',
    help: 'publish every camera on NATS: nats://[USER:PASS@]HOST[:PORT][,HOST[:PORT]…] (or env CAM_GATEWAY_NATS_AUTH)',
    parse: checkedUrl(parseNatsUrl),
  },
  from: {
    group: 'bus',
    value: 'URL',
    help: 'relay: serve every camera published on this NATS bus (no serial port)',
    parse: checkedUrl(parseNatsUrl),
  },
  site: {
    group: 'bus',
    value: 'NAME',
    shown: '"default"',
    help: 'namespace of camera names on the bus and in MQTT topics',
    parse: checkSite,
  },
  'publish-keep': {
    group: 'bus',
    value: 'N|Ns',
    shown: '30',
    help: 'frames (N) or seconds (Ns) the bus keeps per camera',
    parse: named(parseKeep),
  },
  mqtt: {
    group: 'bus',
    value: 'URL',
    help: 'Home Assistant discovery: mqtt://[USER:PASS@]HOST[:PORT] (or env CAM_GATEWAY_MQTT_AUTH)',
    parse: checkedUrl(parseMqttUrl),
  },
  'mqtt-fps': {
    group: 'bus',
    value: 'N',
    shown: '1',
    help: "JPEGs per second on each camera's MQTT image topic",
    parse: (raw: string, name: string): number =>
      checkSinkFps(raw.trim() === '' ? Number.NaN : Number(raw), name),
  },
  stdout: {
    group: 'output',
    value: '[NAME]',
    optionalValue: true,
    help: "write a camera's frames (default the first) to stdout as MJPEG, for ffmpeg and go2rtc",
    parse: (raw: string): string => (raw === '' ? '' : checkCameraName(raw)),
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
  site: 'default',
  publishKeep: { frames: 30 } as KeepLimit,
  mqttFps: 1,
} as const;

const GROUP_TITLES: Readonly<Record<OptionGroup, string>> = {
  camera: 'Cameras',
  serial: 'Serial ports',
  http: 'HTTP',
  recording: 'Recording',
  bus: 'Many machines',
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

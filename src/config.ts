/**
 * The gateway's configuration: one typed object built from flags, env or code,
 * with defaults applied once and every value validated with a message that
 * names the option and what is allowed.
 */
import type { Logger } from './log.js';
import { PROTOCOL_OPTIONS, type ProtocolOption } from './protocol/types.js';
import type { ByteSource, SerialBinding } from './source/types.js';

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  baudRate: 921_600,
  protocol: 'auto' as ProtocolOption,
  maxFrameBytes: 4 * 1024 * 1024,
  ringSize: 10,
} as const;

/** A configuration value that is not allowed; the message names the option. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One camera as a user describes it; exactly one of `port`, `replay`, `demo`, `source`. */
export interface CameraOptions {
  /** Name in URLs (`/cam0/stream`) and logs. Default `cam<N>`. */
  name?: string;
  /** Serial device path. */
  port?: string;
  /** Replay this recorded device byte stream, paced at `baudRate`, looping. */
  replay?: string;
  /** Replay the bundled demo recording (paced at 2 Mbaud unless `baudRate` is given). */
  demo?: boolean;
  /** A ready-made byte source (embedding, tests). */
  source?: ByteSource;
  /** Default 921600. */
  baudRate?: number;
  /** Default `auto`. */
  protocol?: ProtocolOption;
  /** DTR level after opening; default false. */
  dtr?: boolean;
  /** RTS level after opening; default false. */
  rts?: boolean;
  /** Pulse RTS after opening to restart the device; default false. */
  reset?: boolean;
  /** Append every byte read to this file. */
  record?: string;
  /** Largest accepted frame, bytes; default 4 MiB. */
  maxFrameBytes?: number;
  /** Frames kept in the ring; default 10. */
  ringSize?: number;
  /** Ask the device to stop streaming after this many seconds without viewers; default off. */
  idleStopSeconds?: number;
}

export interface GatewayOptions {
  cameras: CameraOptions[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  auth?: { username: string; password: string };
  /** `Access-Control-Allow-Origin` value, off by default. */
  cors?: string;
  /** Where the gateway logs; default: warnings and errors to stderr. */
  logger?: Logger;
  /** Serialport binding for every serial camera (tests pass `MockBinding`). */
  binding?: SerialBinding;
  /** Reported by `/status`; default this package's version. */
  version?: string;
}

/** A camera's configuration with defaults applied. */
export interface CameraConfig {
  name: string;
  source:
    | {
        kind: 'serial';
        path: string;
        baudRate: number;
        dtr: boolean;
        rts: boolean;
        reset: boolean;
        record?: string;
      }
    | { kind: 'replay'; file: string; baudRate: number; demo: boolean }
    | { kind: 'custom'; source: ByteSource };
  protocol: ProtocolOption;
  maxFrameBytes: number;
  ringSize: number;
  /** Undefined when idle saving is off. */
  idleStopSeconds?: number;
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

function wholeNumber(value: number | undefined, option: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${option} must be a whole number ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Apply defaults to one camera and validate it. `index` gives the default name. */
export function resolveCamera(options: CameraOptions, index: number): CameraConfig {
  const name = options.name ?? `cam${index}`;
  if (!NAME.test(name)) {
    throw new ConfigError(`camera name "${name}" must be 1-32 letters, digits, "-" or "_"`);
  }
  const kinds = [options.port, options.replay, options.demo ? true : undefined, options.source].filter(
    (v) => v !== undefined,
  );
  if (kinds.length !== 1) {
    throw new ConfigError(`camera ${name} needs exactly one of port, replay, demo or source`);
  }
  const protocol = options.protocol ?? DEFAULTS.protocol;
  if (!PROTOCOL_OPTIONS.includes(protocol)) {
    throw new ConfigError(`protocol must be one of ${PROTOCOL_OPTIONS.join(', ')}, got "${protocol}"`);
  }
  const baudRate = wholeNumber(options.baudRate, 'baud', 1, DEFAULTS.baudRate);
  const config: CameraConfig = {
    name,
    source: { kind: 'custom', source: options.source as ByteSource },
    protocol,
    maxFrameBytes: wholeNumber(options.maxFrameBytes, 'max-frame-bytes', 1024, DEFAULTS.maxFrameBytes),
    ringSize: wholeNumber(options.ringSize, 'ring', 1, DEFAULTS.ringSize),
  };
  if (options.idleStopSeconds !== undefined) {
    if (!(options.idleStopSeconds > 0) || !Number.isFinite(options.idleStopSeconds)) {
      throw new ConfigError(`idle-stop must be a number of seconds > 0, got ${options.idleStopSeconds}`);
    }
    config.idleStopSeconds = options.idleStopSeconds;
  }
  if (options.port !== undefined) {
    if (options.port === '') throw new ConfigError(`port of camera ${name} is empty`);
    config.source = {
      kind: 'serial',
      path: options.port,
      baudRate,
      dtr: options.dtr ?? false,
      rts: options.rts ?? false,
      reset: options.reset ?? false,
      ...(options.record ? { record: options.record } : {}),
    };
  } else if (options.replay !== undefined || options.demo) {
    config.source = {
      kind: 'replay',
      file: options.replay ?? '',
      baudRate: options.baudRate ?? (options.demo ? 2_000_000 : DEFAULTS.baudRate),
      demo: options.demo === true,
    };
  }
  return config;
}

/** Validate all cameras; names must be unique. */
export function resolveCameras(cameras: readonly CameraOptions[]): CameraConfig[] {
  if (cameras.length === 0) throw new ConfigError('no camera: give a port, a replay file or demo');
  const resolved = cameras.map((c, i) => resolveCamera(c, i));
  const seen = new Set<string>();
  for (const c of resolved) {
    if (seen.has(c.name)) throw new ConfigError(`camera name "${c.name}" is used twice`);
    seen.add(c.name);
  }
  return resolved;
}

/** `[HOST:]PORT` → host and port. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$|^(\d+)$/.exec(value);
  if (!m) throw new ConfigError(`--listen must be [HOST:]PORT (e.g. 8080 or 0.0.0.0:8080), got "${value}"`);
  const host = m[1] ?? m[2] ?? DEFAULTS.host;
  const port = Number(m[3] ?? m[4]);
  if (!Number.isInteger(port) || port > 65_535) {
    throw new ConfigError(`--listen port must be 0-65535, got "${value}"`);
  }
  return { host, port };
}

/** `[NAME=]PATH` → name and path. */
export function parsePortSpec(value: string): { name?: string; path: string } {
  const eq = value.indexOf('=');
  if (eq < 0) {
    if (value === '') throw new ConfigError('--port needs a device path, e.g. /dev/ttyUSB0');
    return { path: value };
  }
  const name = value.slice(0, eq);
  const path = value.slice(eq + 1);
  if (!NAME.test(name) || path === '') {
    throw new ConfigError(
      `--port must be [NAME=]PATH with NAME made of letters, digits, "-", "_"; got "${value}"`,
    );
  }
  return { name, path };
}

/** `USER:PASS` → credentials. */
export function parseAuth(value: string, option = '--auth'): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new ConfigError(`${option} must be USER:PASS with both parts non-empty`);
  }
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** `on|off` (also true/false, 1/0) → boolean. */
export function parseOnOff(value: string, option: string): boolean {
  const v = value.toLowerCase();
  if (v === 'on' || v === 'true' || v === '1') return true;
  if (v === 'off' || v === 'false' || v === '0') return false;
  throw new ConfigError(`${option} must be on or off, got "${value}"`);
}

/** A decimal whole number ≥ min. */
export function parseWholeNumber(value: string, option: string, min = 1): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${option} must be a whole number ≥ ${min}, got "${value}"`);
  }
  return Number(value);
}

/** A decimal number > 0 (seconds). */
export function parseSeconds(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new ConfigError(`${option} must be a number of seconds > 0, got "${value}"`);
  }
  return n;
}

/** Is this a loopback address (safe to serve without auth)? */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

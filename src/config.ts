/**
 * The library's options (`createGateway`): typed, with defaults applied once and
 * every value checked by the same rules as its flag (`options.ts`), each error
 * one line naming the option.
 */
import type { CameraSettings } from './camera/camera.js';
import type { Logger } from './log.js';
import {
  ConfigError,
  checkCameraName,
  checkMaxFrame,
  checkOneOf,
  checkSeconds,
  checkWholeNumber,
  DEFAULTS,
  SENSORS,
} from './options.js';
import { PROTOCOL_OPTIONS, type ProtocolOption } from './protocol/registry.js';
import type { ByteSource, SerialBinding } from './source/types.js';

/** One camera as a user describes it; exactly one of `port`, `replay`, `demo`, `source`. */
export interface CameraOptions {
  /** Name in URLs (`/cams/NAME/stream`) and logs. Default `cam<N>`. */
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
  /** Force the device variant (ArduCAM sensor `ov2640`, `ov5642`, `ov5640`); default: what the device says. */
  sensor?: string;
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
  /** Send a slow stream client frames as it reads them (Linux, TCP_INFO); default true. */
  pacing?: boolean;
  /** Where the gateway logs; default: warnings and errors to stderr. */
  logger?: Logger;
  /** Serialport binding for every serial camera (tests pass `MockBinding`). */
  binding?: SerialBinding;
  /** Reported by `/status`; default this package's version. */
  version?: string;
}

/** Where a camera's bytes come from, with defaults applied. */
export type SourceConfig =
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

/** A camera's configuration with defaults applied. */
export interface CameraConfig {
  settings: CameraSettings;
  source: SourceConfig;
}

/** Apply defaults to one camera and validate it. `index` gives the default name. */
export function resolveCamera(options: CameraOptions, index: number): CameraConfig {
  const name = checkCameraName(options.name ?? `cam${index}`);
  const given = [options.port, options.replay, options.demo ? true : undefined, options.source];
  if (given.filter((v) => v !== undefined).length !== 1) {
    throw new ConfigError(`camera ${name} needs exactly one of port, replay, demo or source`);
  }
  const settings: CameraSettings = {
    name,
    protocol: checkOneOf(options.protocol ?? DEFAULTS.protocol, 'protocol', PROTOCOL_OPTIONS),
    maxFrameBytes: checkMaxFrame(options.maxFrameBytes ?? DEFAULTS.maxFrameBytes, 'maxFrameBytes'),
    ringSize: checkWholeNumber(options.ringSize ?? DEFAULTS.ringSize, 'ringSize', 1),
  };
  if (options.idleStopSeconds !== undefined) {
    settings.idleStopSeconds = checkSeconds(options.idleStopSeconds, 'idleStopSeconds');
  }
  if (options.sensor !== undefined)
    settings.sensor = checkOneOf(options.sensor.toLowerCase(), 'sensor', SENSORS);
  if (options.baudRate !== undefined) checkWholeNumber(options.baudRate, 'baudRate', 50);
  let source: SourceConfig;
  if (options.port !== undefined) {
    if (options.port === '') throw new ConfigError(`port of camera ${name} is empty`);
    source = {
      kind: 'serial',
      path: options.port,
      baudRate: options.baudRate ?? DEFAULTS.baudRate,
      dtr: options.dtr ?? false,
      rts: options.rts ?? false,
      reset: options.reset ?? false,
      ...(options.record ? { record: options.record } : {}),
    };
  } else if (options.replay !== undefined || options.demo) {
    source = {
      kind: 'replay',
      file: options.replay ?? '',
      baudRate: options.baudRate ?? (options.demo ? DEFAULTS.demoBaudRate : DEFAULTS.baudRate),
      demo: options.demo === true,
    };
  } else {
    source = { kind: 'custom', source: options.source! };
  }
  return { settings, source };
}

/** Validate all cameras; names must be unique. */
export function resolveCameras(cameras: readonly CameraOptions[]): CameraConfig[] {
  if (cameras.length === 0) throw new ConfigError('no camera: give a port, a replay file or demo');
  const resolved = cameras.map((c, i) => resolveCamera(c, i));
  const seen = new Set<string>();
  for (const c of resolved) {
    if (seen.has(c.settings.name)) throw new ConfigError(`camera name "${c.settings.name}" is used twice`);
    seen.add(c.settings.name);
  }
  return resolved;
}

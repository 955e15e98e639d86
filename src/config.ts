/**
 * The library's options (`createGateway`): typed, with defaults applied once and
 * every value checked by the same rules as its flag (`options.ts`), each error
 * one line naming the option.
 */
import { resolve } from 'node:path';
import type { CameraSettings } from './camera/camera.js';
import type { TlsFiles } from './http/tls.js';
import type { Logger } from './log.js';
import {
  asConfigError,
  ConfigError,
  checkCameraName,
  checkHostName,
  checkKeep,
  checkMaxFrame,
  checkOneOf,
  checkSeconds,
  checkSinkFps,
  checkSite,
  checkWholeNumber,
  DEFAULTS,
  SENSORS,
} from './options.js';
import { PROTOCOL_OPTIONS, type ProtocolOption } from './protocol/registry.js';
import { parseMqttUrl, withMqttCredentials } from './sinks/mqtt/address.js';
import type { HomeAssistantOptions } from './sinks/mqtt/home-assistant.js';
import { parseNatsUrl, withCredentials } from './sinks/nats/address.js';
import type { KeepLimit } from './sinks/nats/keep.js';
import type { PublishOptions } from './sinks/nats/publisher.js';
import {
  checkMinFree,
  checkKeep as checkRecordingKeep,
  RECORDING_DEFAULTS,
} from './sinks/recording/limits.js';
import type { RecordingOptions, RecordingSettings } from './sinks/recording/service.js';
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
  /** Host names requests may be addressed to besides IP addresses, localhost and this machine's name; `['*']`: any. */
  allowHosts?: string[];
  /** Open HTTP connections at most (more are answered 503); default from the open-file limit. */
  maxClients?: number;
  /** Send a slow stream client frames as it reads them (Linux, TCP_INFO); default true. */
  pacing?: boolean;
  /** Where the gateway logs; default: warnings and errors to stderr. */
  logger?: Logger;
  /** Serialport binding for every serial camera (tests pass `MockBinding`). */
  binding?: SerialBinding;
  /** Reported by `/status`; default this package's version. */
  version?: string;
  /** Namespace of camera names on the NATS bus and in MQTT topics; default `default`. */
  site?: string;
  /** Publish every camera on NATS (`--publish`); `credentials` (`USER:PASS` or a token) when the URL has none. */
  publish?: { url: string; credentials?: string; keep?: KeepLimit };
  /** Home Assistant through MQTT (`--mqtt`); `credentials` (`USER:PASS`) when the URL has none; `fps` default 1. */
  mqtt?: { url: string; credentials?: string; fps?: number };
  /** Record every camera into a folder (see README *Recording*); off when undefined. */
  recording?: RecordingOptions;
  /** Seconds of recent frames kept per camera for clips (`--preroll`); default 10, 0 turns clips off. */
  prerollSeconds?: number;
  /** Serve HTTPS, and HTTP/2 to browsers that offer it, with these PEM files (`--tls-cert`, `--tls-key`). */
  tls?: TlsFiles;
}

/** The sinks of a gateway, with defaults applied and checked (the version is the gateway's). */
export interface SinkConfig {
  publish?: PublishOptions;
  mqtt?: Omit<HomeAssistantOptions, 'version'>;
}

/** A sink check's plain Error as a ConfigError naming the option. */
function sinkCheck<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError(`${name} ${(err as Error).message}`);
  }
}

export function resolveSinks(options: GatewayOptions): SinkConfig {
  const site = checkSite(options.site ?? DEFAULTS.site, 'site');
  const out: SinkConfig = {};
  const p = options.publish;
  if (p) {
    out.publish = {
      address: sinkCheck('publish', () => withCredentials(parseNatsUrl(p.url), p.credentials)),
      site,
      keep: checkKeep(p.keep ?? DEFAULTS.publishKeep, 'publish.keep'),
    };
  }
  const m = options.mqtt;
  if (m) {
    out.mqtt = {
      address: sinkCheck('mqtt', () => withMqttCredentials(parseMqttUrl(m.url), m.credentials)),
      site,
      fps: checkSinkFps(m.fps ?? DEFAULTS.mqttFps, 'mqtt.fps'),
    };
  }
  return out;
}

/** Recording options with defaults applied, each checked like its flag. */
export function resolveRecording(options: RecordingOptions): RecordingSettings {
  if (!options.dir) throw new ConfigError('recording.dir needs a folder');
  const settings: RecordingSettings = {
    dir: resolve(options.dir),
    segmentSeconds: checkSeconds(
      options.segmentSeconds ?? RECORDING_DEFAULTS.segmentSeconds,
      'segmentSeconds',
    ),
    minFree: asConfigError(() => checkMinFree(options.minFree ?? RECORDING_DEFAULTS.minFree, 'minFree')),
  };
  const { keep, timelapseSeconds } = options;
  if (keep !== undefined) settings.keep = asConfigError(() => checkRecordingKeep(keep, 'keep'));
  if (timelapseSeconds !== undefined)
    settings.timelapseSeconds = checkSeconds(timelapseSeconds, 'timelapseSeconds');
  return settings;
}

/** `prerollSeconds` with its default; 0 is off. */
export function resolvePreroll(seconds: number | undefined): number {
  return seconds === 0 ? 0 : checkSeconds(seconds ?? RECORDING_DEFAULTS.prerollSeconds, 'prerollSeconds');
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

/** The HTTP edge's options, checked by the same rules as their flags. */
export function resolveHttpLimits(options: GatewayOptions): { allowHosts: string[]; maxClients?: number } {
  const allowHosts = (options.allowHosts ?? []).map((h) => checkHostName(h, 'allowHosts'));
  if (options.maxClients === undefined) return { allowHosts };
  return { allowHosts, maxClients: checkWholeNumber(options.maxClients, 'maxClients', 1) };
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

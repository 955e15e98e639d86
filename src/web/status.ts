/**
 * `GET status` as the page uses it: the gateway's JSON read defensively into
 * plain typed values (a field that is missing or of another type reads as
 * unknown, never as a crash). No DOM here: the tests run it in Node.
 */
import type { ControlSpec } from '../control/schema.js';
import { parseControlSpecs } from './control-schema.js';

/** One camera's status, as much of it as the page shows. */
export interface CameraView {
  readonly name: string;
  readonly port: string | undefined;
  readonly protocol: string | undefined;
  readonly detectedProtocol: string | undefined;
  readonly online: boolean;
  readonly lastError: string | undefined;
  readonly fpsReceived: number | undefined;
  readonly kBps: number | undefined;
  readonly frames: number | undefined;
  readonly deviceDrops: number | undefined;
  readonly crcErrors: number | undefined;
  /** Viewers connected to this camera. */
  readonly clients: number | undefined;
  readonly info: Readonly<Record<string, unknown>> | undefined;
  readonly logs: readonly string[];
  readonly controls: readonly ControlSpec[];
  readonly idle: { readonly stopAfterSeconds: number; readonly stopped: boolean } | undefined;
}

export interface GatewayView {
  readonly version: string | undefined;
  /** Seconds since the gateway started. */
  readonly uptime: number | undefined;
  readonly cameras: readonly CameraView[];
}

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function parseIdle(value: unknown): CameraView['idle'] {
  const idle = fields(value);
  const seconds = num(idle.stopAfterSeconds);
  return seconds === undefined ? undefined : { stopAfterSeconds: seconds, stopped: idle.stopped === true };
}

/** One camera's status object; `undefined` when it has no name to match a card by. */
export function parseCameraStatus(value: unknown): CameraView | undefined {
  const s = fields(value);
  const name = typeof s.name === 'string' ? s.name : undefined;
  if (name === undefined) return undefined;
  const info = typeof s.info === 'object' && s.info !== null ? fields(s.info) : undefined;
  return {
    name,
    port: str(s.port),
    protocol: str(s.protocol),
    detectedProtocol: str(s.detectedProtocol),
    online: s.online === true,
    lastError: str(s.lastError),
    fpsReceived: num(fields(s.fps).received),
    kBps: num(s.kBps),
    frames: num(s.frames),
    deviceDrops: num(s.deviceDrops),
    crcErrors: num(s.crcErrors),
    clients: Array.isArray(s.clients) ? s.clients.length : undefined,
    info,
    logs: Array.isArray(s.logs)
      ? (s.logs as unknown[]).filter((l): l is string => typeof l === 'string')
      : [],
    controls: parseControlSpecs(s.controls),
    idle: parseIdle(s.idle),
  };
}

/** The whole `status` answer; a one-camera answer (`/cams/NAME/status`) counts as a list of one. */
export function parseGatewayStatus(value: unknown): GatewayView {
  const body = fields(value);
  const list: unknown[] = Array.isArray(body.cameras) ? body.cameras : [body];
  return {
    version: str(body.version),
    uptime: num(body.uptime),
    cameras: list.map(parseCameraStatus).filter((c): c is CameraView => c !== undefined),
  };
}

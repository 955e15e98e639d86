/**
 * What travels on the bus, encoded and decoded in one place: a frame's headers
 * (the ring entry's index, timestamp and device time, the JPEG's size, which
 * origin process sent it) and the control request/reply, whose failure carries
 * the `ControlError` kind over the wire so a relay's client gets the same answer
 * (status, `parameter`, `supported`) as a client of the origin. Pure: no I/O.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { ControlResult } from '../../camera/handle.js';
import type { CameraStatus } from '../../camera/status.js';
import { ControlError, type ControlErrorKind } from '../../control/errors.js';
import type { RingbufferEntry } from '../../stream/ring-buffer.js';

/** A frame's facts besides its bytes. */
export interface FrameMeta {
  /** The origin's ring index. */
  readonly index: number;
  /** The origin's host receive time, epoch seconds (full precision). */
  readonly timestamp: number;
  readonly deviceTimeUs?: number;
  readonly width?: number;
  readonly height?: number;
  /** Identifies the origin process: its indexes restart when it does. */
  readonly origin: string;
}

export const FRAME_HEADERS = {
  index: 'X-Frame-Index',
  timestamp: 'X-Timestamp',
  deviceTime: 'X-Device-Time-Us',
  width: 'X-Width',
  height: 'X-Height',
  origin: 'X-Origin',
} as const;

export function frameHeaders(
  entry: RingbufferEntry,
  size: { width: number; height: number } | undefined,
  origin: string,
): MsgHdrs {
  const h = headers();
  h.set(FRAME_HEADERS.index, String(entry.index));
  h.set(FRAME_HEADERS.timestamp, String(entry.timestamp));
  if (entry.deviceTimeUs !== undefined) h.set(FRAME_HEADERS.deviceTime, String(entry.deviceTimeUs));
  if (size) {
    h.set(FRAME_HEADERS.width, String(size.width));
    h.set(FRAME_HEADERS.height, String(size.height));
  }
  h.set(FRAME_HEADERS.origin, origin);
  return h;
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** The meta of a frame message, or undefined when its headers are not ours (not a frame to show). */
export function readFrameHeaders(h: MsgHdrs | undefined): FrameMeta | undefined {
  if (!h) return undefined;
  const index = wholeNumber(h.get(FRAME_HEADERS.index));
  const timestamp = Number(h.get(FRAME_HEADERS.timestamp));
  const origin = h.get(FRAME_HEADERS.origin);
  if (index === undefined || !(timestamp > 0) || origin === '') return undefined;
  const deviceTimeUs = wholeNumber(h.get(FRAME_HEADERS.deviceTime));
  const width = wholeNumber(h.get(FRAME_HEADERS.width));
  const height = wholeNumber(h.get(FRAME_HEADERS.height));
  return {
    index,
    timestamp,
    origin,
    ...(deviceTimeUs !== undefined ? { deviceTimeUs } : {}),
    ...(width !== undefined && height !== undefined ? { width, height } : {}),
  };
}

// ── control ───────────────────────────────────────────────────────────────────────────────────

export interface ControlRequest {
  readonly var: string;
  readonly val?: string;
}

/** A control reply: the result, or the error with its kind (absent: not a ControlError, an internal failure). */
export type ControlReply =
  | { readonly ok: boolean; readonly reply: string }
  | {
      readonly error: string;
      readonly kind?: ControlErrorKind;
      readonly parameter?: 'var' | 'val';
      readonly supported?: readonly string[];
    };

const KINDS: readonly ControlErrorKind[] = [
  'invalid',
  'unsupported',
  'unavailable',
  'busy',
  'offline',
  'timeout',
];

export function encodeControlRequest(name: string, value: string | undefined): string {
  const request: ControlRequest = value === undefined ? { var: name } : { var: name, val: value };
  return JSON.stringify(request);
}

/** The request in a control message; throws a `ControlError` (`invalid`) for anything else. */
export function decodeControlRequest(text: string): ControlRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControlError('invalid', 'a control request must be JSON {"var": NAME, "val": VALUE}');
  }
  const r = parsed as Partial<Record<string, unknown>>;
  if (typeof r !== 'object' || r === null || typeof r.var !== 'string' || r.var === '') {
    throw new ControlError('invalid', 'missing "var": the control to set', { parameter: 'var' });
  }
  if (r.val !== undefined && typeof r.val !== 'string') {
    throw new ControlError('invalid', '"val" must be text', { parameter: 'val' });
  }
  return r.val === undefined ? { var: r.var } : { var: r.var, val: r.val };
}

export function encodeControlReply(outcome: ControlResult | unknown): string {
  if (!(outcome instanceof Error) && isResult(outcome))
    return JSON.stringify({ ok: outcome.ok, reply: outcome.reply });
  if (outcome instanceof ControlError) {
    const reply: ControlReply = {
      error: outcome.message,
      kind: outcome.kind,
      ...(outcome.parameter ? { parameter: outcome.parameter } : {}),
      ...(outcome.supported ? { supported: outcome.supported } : {}),
    };
    return JSON.stringify(reply);
  }
  return JSON.stringify({ error: outcome instanceof Error ? outcome.message : String(outcome) });
}

function isResult(value: unknown): value is ControlResult {
  const v = value as Partial<ControlResult> | null;
  return typeof v === 'object' && v !== null && typeof v.ok === 'boolean' && typeof v.reply === 'string';
}

/** The result of a reply, or its error thrown: a `ControlError` of the same kind, else a plain `Error`. */
export function decodeControlReply(text: string): ControlResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the camera's gateway sent an unreadable control reply (${text.length} bytes)`);
  }
  if (isResult(parsed)) return { ok: parsed.ok, reply: parsed.reply };
  const e = parsed as Partial<Record<string, unknown>>;
  const message = typeof e?.error === 'string' ? e.error : 'control failed';
  if (typeof e?.kind === 'string' && (KINDS as readonly string[]).includes(e.kind)) {
    const details: { parameter?: 'var' | 'val'; supported?: readonly string[] } = {};
    if (e.parameter === 'var' || e.parameter === 'val') details.parameter = e.parameter;
    if (Array.isArray(e.supported)) details.supported = e.supported.filter((s) => typeof s === 'string');
    throw new ControlError(e.kind as ControlErrorKind, message, details);
  }
  throw new Error(message);
}

// ── status ────────────────────────────────────────────────────────────────────────────────────

/** What a publishing gateway counts per camera. */
export interface BusCounters {
  /** Frames handed to the bus. */
  published: number;
  /** Frames over the server's `max_payload`, not published. */
  tooLarge: number;
  /** Frames not published because the bus was unreachable or still busy with earlier ones. */
  skipped: number;
}

/** A camera's entry in the site's status bucket. */
export interface StatusRecord {
  readonly status: CameraStatus;
  /** The origin process (see `FrameMeta.origin`). */
  readonly origin: string;
  /** Host name of the origin. */
  readonly host: string;
  /** Epoch ms when it was written. */
  readonly publishedAt: number;
  readonly bus: BusCounters;
}

/** The record in a KV value, or undefined when it is not one. */
export function decodeStatusRecord(bytes: Uint8Array): StatusRecord | undefined {
  try {
    const r = JSON.parse(new TextDecoder().decode(bytes)) as Partial<StatusRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.status !== 'object' || r.status === null)
      return undefined;
    if (typeof r.origin !== 'string' || typeof r.publishedAt !== 'number') return undefined;
    return r as StatusRecord;
  } catch {
    return undefined;
  }
}

/**
 * Request parameters, parsed and validated once: a bad one is a 400 naming it
 * (`{"error": …, "parameter": "fps"}`); anything not listed here is ignored, so
 * cache-busters like `&t=123` are fine.
 */
import type { Context } from 'hono';
import { badParameter } from './errors.js';

const FLAG_TRUE = new Set(['', '1', 'true', 'yes', 'on']);
const FLAG_FALSE = new Set(['0', 'false', 'no', 'off']);
const FPS_PATTERN = /^\d+(\.\d+)?$/;
/** `?fps=` range: below one frame a minute 100 s apart is no stream; above 1000 is no cap. */
export const MIN_FPS = 0.01;
export const MAX_FPS = 1000;

/** `?name=1|0|true|false|yes|no|on|off` (a bare `?name` is true); absent is false. */
export function parseFlag(c: Context, name: string): boolean {
  return parseOptionalFlag(c, name) ?? false;
}

/** Like `parseFlag`, but absent is undefined (the caller has its own default). */
export function parseOptionalFlag(c: Context, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  const value = raw.toLowerCase();
  if (FLAG_TRUE.has(value)) return true;
  if (FLAG_FALSE.has(value)) return false;
  throw badParameter(name, `"${name}" must be 1 or 0 (true/false), got "${raw}"`);
}

/** `?fps=N`: at most N frames per second for this client. */
export function parseFps(c: Context): number | undefined {
  const raw = c.req.query('fps');
  if (raw === undefined) return undefined;
  const fps = FPS_PATTERN.test(raw) ? Number(raw) : Number.NaN;
  if (!(fps >= MIN_FPS && fps <= MAX_FPS)) {
    throw badParameter(
      'fps',
      `"fps" must be a number of frames per second from ${MIN_FPS} to ${MAX_FPS}, got "${raw}"`,
    );
  }
  return fps;
}

/** `?action=stream|snapshot`, with mjpg-streamer's optional input number (`stream_0`, `snapshot_1`). */
export interface Action {
  kind: 'stream' | 'snapshot';
  /** The camera's position, from 0 (absent: the default camera). */
  input?: number;
}

const ACTION = /^(stream|snapshot)(?:_(\d{1,3}))?$/;

/** The `/` route's `?action=`; undefined without one. */
export function parseAction(c: Context): Action | undefined {
  const raw = c.req.query('action');
  if (raw === undefined) return undefined;
  const m = ACTION.exec(raw);
  if (!m)
    throw badParameter(
      'action',
      `unknown action "${raw}" (use stream or snapshot, optionally _N for camera N)`,
    );
  const kind = m[1] as Action['kind'];
  return m[2] === undefined ? { kind } : { kind, input: Number(m[2]) };
}

/** `var` and `val` of a control request: from the query, or on POST from a form or JSON body. */
export async function controlParams(c: Context): Promise<{ variable?: string; value?: string }> {
  let variable = c.req.query('var');
  let value = c.req.query('val');
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    let body: Record<string, unknown> = {};
    if (type.includes('application/json')) {
      try {
        const parsed: unknown = await c.req.json();
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error('not an object');
        }
        body = parsed as Record<string, unknown>;
      } catch {
        throw badParameter('body', 'request body must be a JSON object like {"var":"quality","val":"10"}');
      }
    } else if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      try {
        body = await c.req.parseBody();
      } catch (err) {
        throw badParameter('body', `request body is not a valid form: ${(err as Error).message}`);
      }
    }
    const field = (name: string): string | undefined => {
      const v = body[name];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    };
    variable ??= field('var');
    value ??= field('val');
  }
  const out: { variable?: string; value?: string } = {};
  if (variable !== undefined) out.variable = variable;
  if (value !== undefined) out.value = value;
  return out;
}

/**
 * Every error that reaches HTTP becomes a JSON response here, and only here
 * (`app.onError` / `app.notFound`): `{ error, …details }` with the right status,
 * so a client always learns what was wrong in one line. Camera, control and
 * protocol code never name HTTP statuses; their error kinds are mapped below.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ControlError, type ControlErrorKind } from '../control/errors.js';
import { RecordingError, type RecordingErrorKind } from '../sinks/recording/errors.js';

/** A request error with a JSON body; `details` are merged next to `error` (e.g. `parameter`, `cameras`). */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    /** Response headers the answer needs (`Content-Range` of a 416). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }

  get body(): Record<string, unknown> {
    return { error: this.message, ...this.details };
  }
}

/** 400 naming the query (or body) parameter at fault. */
export function badParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, message, { parameter });
}

/** The HTTP status of each way a control request can fail. */
const CONTROL_STATUS: Readonly<Record<ControlErrorKind, ContentfulStatusCode>> = {
  invalid: 400,
  unsupported: 400,
  busy: 409,
  unavailable: 503,
  offline: 503,
  timeout: 504,
};

/** The HTTP status of each way a recording request can fail. */
const RECORDING_STATUS: Readonly<Record<RecordingErrorKind, ContentfulStatusCode>> = {
  invalid: 400,
  'not-found': 404,
  off: 409,
  unusable: 503,
  io: 500,
};

/** The status and JSON body for any error. */
export function errorBody(err: unknown): { status: ContentfulStatusCode; body: Record<string, unknown> } {
  if (err instanceof ApiError) return { status: err.status, body: err.body };
  if (err instanceof RecordingError) {
    const body: Record<string, unknown> = { error: err.message };
    if (err.parameter) body.parameter = err.parameter;
    return { status: RECORDING_STATUS[err.kind], body };
  }
  if (err instanceof ControlError) {
    const body: Record<string, unknown> = { error: err.message };
    if (err.parameter) body.parameter = err.parameter;
    if (err.supported) body.supported = err.supported;
    return { status: CONTROL_STATUS[err.kind], body };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: `internal error: ${message}` } };
}

/** The JSON error response for `err` where there is no Hono context (the connection cap answers before any route). */
export function errorJson(err: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  const { status, body } = errorBody(err);
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** `app.onError`: ApiError and ControlError → their JSON; other HTTPExceptions (401 from basic auth) → their own response; else 500 JSON. */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof HTTPException && !(err instanceof ApiError)) return err.getResponse();
  const { status, body } = errorBody(err);
  return c.json(body, status, err instanceof ApiError ? { ...err.headers } : {});
}

/** `app.notFound`: 404 JSON naming the method and path. */
export function notFoundResponse(c: Context): Response {
  return c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404);
}

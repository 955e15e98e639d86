/**
 * Every request error becomes a JSON body `{ error, …details }` with the right
 * status, in one place (`onError` / `notFound`), so a client always learns
 * what was wrong in one line.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A request error with a JSON body; `details` are merged next to `error` (e.g. `parameter`, `cameras`). */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
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

/** `app.onError`: ApiError → its JSON; other HTTPExceptions (401 from basic auth) → their own response; else 500 JSON. */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(err.body, err.status);
  if (err instanceof HTTPException) return err.getResponse();
  return c.json({ error: `internal error: ${err.message}` }, 500);
}

/** `app.notFound`: 404 JSON naming the method and path. */
export function notFoundResponse(c: Context): Response {
  return c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404);
}

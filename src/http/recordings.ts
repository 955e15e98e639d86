/**
 * The recording routes: `GET /recordings` (the index), `GET /recordings/<path>`
 * (a file, with `Range` so players can seek; only files in the index, by their
 * exact path, so `..`, encoded dots and symlinks lead nowhere: 404), and per
 * camera `GET|POST /cams/NAME/clip` and `GET /cams/NAME/timelapse`. The work is
 * done by `Recordings` (`src/sinks/recording`); here are the parameters and the
 * responses.
 */
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import type { CameraHandle } from '../camera/handle.js';
import { RecordingError } from '../sinks/recording/errors.js';
import type { Recordings } from '../sinks/recording/recordings.js';
import { ApiError, badParameter } from './errors.js';
import { parseFps } from './params.js';
import { parseRange } from './range.js';

/** A timelapse is played at this many frames per second unless `?fps=` says otherwise. */
export const DEFAULT_TIMELAPSE_FPS = 30;
const NUMBER = /^\d+(\.\d+)?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `?seconds=N` of a clip (its range is the pre-roll's: checked by `Recordings.clip`). */
function parseClipSeconds(c: Context): number | undefined {
  const raw = c.req.query('seconds');
  if (raw === undefined) return undefined;
  if (!NUMBER.test(raw) || !(Number(raw) > 0)) {
    throw badParameter('seconds', `"seconds" must be a number of seconds > 0, got "${raw}"`);
  }
  return Number(raw);
}

/** `?from=` / `?to=`: epoch seconds, or ISO 8601 in local time unless it names a zone (a bare date is its midnight). */
export function parseTime(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (NUMBER.test(raw)) return Number(raw);
  const day = DATE_ONLY.exec(raw);
  const ms = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime() : Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) {
    throw badParameter(
      name,
      `"${name}" must be a time: ISO 8601 (2026-11-24T10:30:00, 2026-11-24, …Z) or epoch seconds, got "${raw}"`,
    );
  }
  return ms / 1000;
}

/** A path under `/recordings/`, each segment decoded and checked; undefined for anything that is not a plain relative path. */
function recordingPathOf(c: Context): string | undefined {
  const raw = new URL(c.req.url).pathname.slice('/recordings/'.length);
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) return undefined;
    parts.push(decoded);
  }
  return parts.join('/');
}

function need(recordings: Recordings | undefined): Recordings {
  if (!recordings) throw new RecordingError('off', 'recording is not set up in this app');
  return recordings;
}

async function serveFile(c: Context, recordings: Recordings): Promise<Response> {
  const path = recordingPathOf(c);
  if (path === undefined) throw new RecordingError('not-found', 'no such recording');
  const file = await recordings.open(path);
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Last-Modified': file.modified.toUTCString(),
    'Cache-Control': 'no-cache',
  };
  const range = parseRange(c.req.header('range'), file.size);
  if (range === 'unsatisfiable') {
    await file.handle.close();
    throw new ApiError(
      416,
      `range not satisfiable: the file has ${file.size} bytes`,
      {},
      {
        'Content-Range': `bytes */${file.size}`,
      },
    );
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  headers['Content-Length'] = String(Math.max(0, end - start + 1));
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  const status = range ? 206 : 200;
  if (c.req.method === 'HEAD' || file.size === 0) {
    await file.handle.close();
    return new Response(null, { status, headers });
  }
  // The stream closes the file when it ends or the client goes away.
  const stream = file.handle.createReadStream({ start, end, highWaterMark: 256 * 1024 });
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
}

/**
 * Registers the recording routes on `app`. Without `recordings` they answer 409 (recording not set up).
 * Register before the catch-all `/cams/:name/*`.
 */
export function recordingRoutes(
  app: Hono,
  recordings: Recordings | undefined,
  cameraByName: (name: string) => CameraHandle,
): void {
  app.get('/recordings', (c) => c.json(need(recordings).list()));
  app.get('/recordings/*', (c) => serveFile(c, need(recordings)));
  app.get('/cams/:name/clip', (c) => {
    const camera = cameraByName(c.req.param('name'));
    const clip = need(recordings).clip(camera.name, parseClipSeconds(c));
    return c.body(clip.bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'video/x-matroska',
      'Content-Disposition': `attachment; filename="${clip.name}"`,
      'X-Clip-Frames': String(clip.frames),
      'Cache-Control': 'no-store',
    });
  });
  app.post('/cams/:name/clip', async (c) => {
    const camera = cameraByName(c.req.param('name'));
    const saved = await need(recordings).saveClip(camera.name, parseClipSeconds(c));
    return c.json({ ...saved, file: need(recordings).filePath(saved.path) }, 201);
  });
  app.get('/cams/:name/timelapse', (c) => {
    const camera = cameraByName(c.req.param('name'));
    const from = parseTime(c, 'from') ?? Number.NEGATIVE_INFINITY;
    const to = parseTime(c, 'to') ?? Number.POSITIVE_INFINITY;
    if (from > to) throw badParameter('to', `"to" must not be before "from"`);
    const fps = parseFps(c) ?? DEFAULT_TIMELAPSE_FPS;
    const video = need(recordings).timelapse(camera.name, from, to, fps);
    return c.body(video.body, 200, {
      'Content-Type': 'video/x-matroska',
      'Content-Disposition': `attachment; filename="${video.name}"`,
      'X-Timelapse-Frames': String(video.frames),
      'Cache-Control': 'no-store',
    });
  });
}

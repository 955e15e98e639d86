/**
 * Where things go under the recording folder, by local time:
 *
 *   NAME/YYYY-MM-DD/HHMMSS.mkv             segments
 *   NAME/clips/YYYY-MM-DD/HHMMSS.mkv       saved clips
 *   NAME/timelapse/YYYY-MM-DD/HHMMSS.jpg   timelapse frames
 *
 * (`-1`, `-2` … before the extension when a name is taken). Paths are relative
 * to the folder, `/`-separated, and only ever made here or read back here.
 */

export type RecordingKind = 'segment' | 'clip' | 'timelapse';

const CAMERA = /^[A-Za-z0-9_-]{1,32}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const NAME = /^\d{6}(?:-\d{1,3})?\.(mkv|jpg)$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` of epoch seconds `t`, local time. */
export function dayName(t: number): string {
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `HHMMSS` of epoch seconds `t`, local time. */
export function timeName(t: number): string {
  const d = new Date(t * 1000);
  return `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** The first local midnight after epoch seconds `t`. */
export function nextLocalMidnight(t: number): number {
  const d = new Date(t * 1000);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() / 1000;
}

const FOLDER: Readonly<Record<RecordingKind, string>> = {
  segment: '',
  clip: 'clips/',
  timelapse: 'timelapse/',
};

/** Where a `kind` file of `camera` starting at `t` goes; `attempt` > 0 adds `-attempt` for a taken name. */
export function recordingPath(camera: string, kind: RecordingKind, t: number, attempt = 0): string {
  const ext = kind === 'timelapse' ? 'jpg' : 'mkv';
  const suffix = attempt > 0 ? `-${attempt}` : '';
  return `${camera}/${FOLDER[kind]}${dayName(t)}/${timeName(t)}${suffix}.${ext}`;
}

/** Which camera and kind a relative path belongs to; undefined for anything the gateway did not name. */
export function parseRecordingPath(path: string): { camera: string; kind: RecordingKind } | undefined {
  const parts = path.split('/');
  const camera = parts[0] ?? '';
  const name = parts.at(-1) ?? '';
  const ext = NAME.exec(name)?.[1];
  if (!CAMERA.test(camera) || ext === undefined || !DAY.test(parts.at(-2) ?? '')) return undefined;
  if (parts.length === 3 && ext === 'mkv') return { camera, kind: 'segment' };
  if (parts.length === 4 && parts[1] === 'clips' && ext === 'mkv') return { camera, kind: 'clip' };
  if (parts.length === 4 && parts[1] === 'timelapse' && ext === 'jpg') return { camera, kind: 'timelapse' };
  return undefined;
}

/** The Content-Type a recording file is served with. */
export function contentTypeOf(path: string): string {
  return path.endsWith('.jpg') ? 'image/jpeg' : 'video/x-matroska';
}

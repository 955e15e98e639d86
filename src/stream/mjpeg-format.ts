/**
 * MJPEG on the wire: `multipart/x-mixed-replace; boundary=frame`, the part headers
 * (`Content-Type`, `Content-Length`, `X-Timestamp`, `X-Frame-Index`), the boundary
 * right after each frame (so browsers paint it at once), and the parts themselves —
 * each built once per ring entry and shared by every client and every writer.
 */
import { nowSeconds, type RingbufferEntry } from './ring-buffer.js';

export const MJPEG_BOUNDARY = 'frame';
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

/** Response headers every MJPEG stream and snapshot carries: no cache anywhere, no proxy buffering. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
};

/** The headers of an MJPEG response (the gateway adds `Connection: close`). */
export const MJPEG_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': MJPEG_CONTENT_TYPE,
  ...NO_CACHE_HEADERS,
};

const OPENING = Buffer.from(`--${MJPEG_BOUNDARY}\r\n`);
const TRAILER = Buffer.from(`\r\n--${MJPEG_BOUNDARY}\r\n`);

/** `X-Timestamp` format: seconds with 6 decimals. */
export function formatTimestamp(seconds: number): string {
  return seconds.toFixed(6);
}

const CONTENT_TYPE_LINE = 'Content-Type: image/jpeg\r\n';
const PREFIX_TEXT = `${CONTENT_TYPE_LINE}Content-Length: `;
/**
 * How every part with a Content-Length starts (its constant first bytes): a paced client's
 * probes are these bytes, sent ahead one at a time (see `freshness.ts`).
 */
export const PART_PREFIX = Buffer.from(PREFIX_TEXT, 'latin1');

/** The header block of one part, blank line included (ASCII). Without `contentLength` (advance mode) no Content-Length. */
export function partHeaderText(part: { timestamp?: number; index?: number }, contentLength?: number): string {
  const head = contentLength === undefined ? CONTENT_TYPE_LINE : `${PREFIX_TEXT}${contentLength}\r\n`;
  const index = part.index !== undefined ? `X-Frame-Index: ${part.index}\r\n` : '';
  return `${head}X-Timestamp: ${formatTimestamp(part.timestamp ?? nowSeconds())}\r\n${index}\r\n`;
}

/**
 * uStreamer's `advance_headers`: the next part's headers go out right after each frame so
 * Chrome paints the frame at once; parts then carry no Content-Length (the next frame's size
 * is not known yet).
 */
export type PartMode = 'normal' | 'advance';

/** What opens the body: the first boundary (and in advance mode the first part's headers). */
export function openingBytes(mode: PartMode): Buffer {
  return mode === 'advance' ? Buffer.concat([OPENING, Buffer.from(partHeaderText({}), 'latin1')]) : OPENING;
}

/** One buffer: [headers] JPEG boundary [next headers]. */
function buildPart(frame: Uint8Array, head: string | undefined, tail: string | undefined): Buffer {
  const headLen = head?.length ?? 0;
  const tailLen = tail?.length ?? 0;
  const part = Buffer.allocUnsafeSlow(headLen + frame.length + TRAILER.length + tailLen);
  if (head !== undefined) part.write(head, 0, 'latin1');
  part.set(frame, headLen);
  part.set(TRAILER, headLen + frame.length);
  if (tail !== undefined) part.write(tail, headLen + frame.length + TRAILER.length, 'latin1');
  return part;
}

/** Whole parts per entry and mode, shared by every client; gone with the entry. */
const normalParts = new WeakMap<RingbufferEntry, Buffer>();
const advanceParts = new WeakMap<RingbufferEntry, Buffer>();

/**
 * The whole part of a ring entry (headers, JPEG, boundary), built on its first send and shared
 * by every client: one copy per frame — never one per client — and one socket write per client.
 * In advance mode the next part's headers carry the X-Timestamp of that first send.
 */
export function entryPart(entry: RingbufferEntry, mode: PartMode): Buffer {
  const cache = mode === 'advance' ? advanceParts : normalParts;
  let part = cache.get(entry);
  if (part === undefined) {
    part =
      mode === 'advance'
        ? buildPart(entry.frame, undefined, partHeaderText({}))
        : buildPart(entry.frame, partHeaderText(entry, entry.frame.length), undefined);
    cache.set(entry, part);
  }
  return part;
}

/** The placeholder (NO SIGNAL card) as a part stamped now. */
export function placeholderPart(jpeg: Uint8Array, mode: PartMode): Buffer {
  return mode === 'advance'
    ? buildPart(jpeg, undefined, partHeaderText({}))
    : buildPart(jpeg, partHeaderText({ timestamp: nowSeconds() }, jpeg.length), undefined);
}

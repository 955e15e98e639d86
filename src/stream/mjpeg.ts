/**
 * The MJPEG writer: turns an async sequence of JPEGs into a
 * `multipart/x-mixed-replace` body, pull-based so a slow client is only ever
 * handed the newest frame it has not seen (never a backlog), and frames are
 * passed through as the same Buffer for every client (no per-client copy).
 *
 * `mjpegResponse(frames)` is the LabThings `MJPEGStreamResponse` equivalent
 * for any fetch-style server (Hono, Deno, Bun …); `pipeMjpeg(frames, res)`
 * writes the same body straight to a Node response. `latestFrames(ring)`
 * (latest-frames.ts) is the per-client source the gateway's routes feed them.
 */
import { nowSeconds } from './ring-buffer.js';

export {
  type FrameWait,
  type LatestFramesOptions,
  latestFrames,
  waitForNewerFrame,
} from './latest-frames.js';

export const MJPEG_BOUNDARY = 'frame';
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

/** Response headers every MJPEG stream and snapshot carries: no cache anywhere, no proxy buffering. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
};

/** One JPEG to send, with what its part headers should say. */
export interface MjpegPart {
  readonly frame: Uint8Array;
  /** Seconds since the epoch (`X-Timestamp`); the send time when absent. */
  readonly timestamp?: number;
  /** Ring index (`X-Frame-Index`), when known. */
  readonly index?: number;
}

/** What `mjpegResponse` accepts: bare JPEG bytes or `RingbufferEntry`-like items. */
export type MjpegItem = Uint8Array | MjpegPart;

export interface MjpegStreamOptions {
  /**
   * uStreamer's `advance_headers`: send the next part's headers right after
   * each frame so Chrome paints the frame at once. Parts then carry no
   * Content-Length (the next frame's size is not known yet). Default false.
   */
  advanceHeaders?: boolean;
  /** Called after each frame is handed to the transport, with the JPEG's size. */
  onFrame?: (bytes: number) => void;
  /** Called once when the body ends for any reason (source done, client gone, error). */
  onEnd?: () => void;
}

export interface MjpegResponseInit extends MjpegStreamOptions {
  /** Default 200. */
  status?: number;
  /** Extra response headers (merged over the MJPEG defaults). */
  headers?: Record<string, string>;
}

const OPENING = Buffer.from(`--${MJPEG_BOUNDARY}\r\n`);
const TRAILER = Buffer.from(`\r\n--${MJPEG_BOUNDARY}\r\n`);

function isPart(item: MjpegItem): item is MjpegPart {
  return !(item instanceof Uint8Array);
}

/** `X-Timestamp` format: seconds with 6 decimals. */
export function formatTimestamp(seconds: number): string {
  return seconds.toFixed(6);
}

/** The header block of one part, blank line included. Without `contentLength` (advance mode) no Content-Length. */
export function partHeader(part: { timestamp?: number; index?: number }, contentLength?: number): Buffer {
  return Buffer.from(partHeaderText(part, contentLength), 'latin1');
}

/** `partHeader` as a string (ASCII: one byte per character), for writing it straight into a bigger buffer. */
export function partHeaderText(part: { timestamp?: number; index?: number }, contentLength?: number): string {
  let head = 'Content-Type: image/jpeg\r\n';
  if (contentLength !== undefined) head += `Content-Length: ${contentLength}\r\n`;
  head += `X-Timestamp: ${formatTimestamp(part.timestamp ?? nowSeconds())}\r\n`;
  if (part.index !== undefined) head += `X-Frame-Index: ${part.index}\r\n`;
  return `${head}\r\n`;
}

/**
 * A multipart body over `frames`. Pull-based (highWaterMark 0): the next item
 * is requested only when the transport has written the previous part, so
 * backpressure from the socket reaches the source. Cancelling the body calls
 * the iterator's `return()`.
 */
export function mjpegStream(
  frames: AsyncIterable<MjpegItem>,
  options: MjpegStreamOptions = {},
): ReadableStream<Uint8Array> {
  const advance = options.advanceHeaders ?? false;
  let iterator: AsyncIterator<MjpegItem> | undefined;
  let started = false;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          // Opening boundary first, without waiting for a frame: clients see headers and the boundary at once.
          controller.enqueue(advance ? Buffer.concat([OPENING, partHeader({})]) : OPENING);
          return;
        }
        iterator ??= frames[Symbol.asyncIterator]();
        let result: IteratorResult<MjpegItem>;
        try {
          result = await iterator.next();
        } catch (error) {
          if (ended) return; // cancelled meanwhile
          end();
          controller.error(error);
          return;
        }
        if (ended) return; // cancelled while waiting
        if (result.done) {
          end();
          controller.close();
          return;
        }
        const item = result.value;
        const part: MjpegPart = isPart(item) ? item : { frame: item };
        if (!advance) controller.enqueue(partHeader(part, part.frame.length));
        controller.enqueue(part.frame);
        controller.enqueue(advance ? Buffer.concat([TRAILER, partHeader({})]) : TRAILER);
        options.onFrame?.(part.frame.length);
      },
      cancel() {
        end();
        // Also when no frame was asked for yet: the source may hold resources from its creation on.
        iterator ??= frames[Symbol.asyncIterator]();
        void iterator.return?.()?.catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A Web `Response` streaming `frames` as MJPEG (`multipart/x-mixed-replace;
 * boundary=frame`), e.g. `app.get('/cam', () => mjpegResponse(ring.entries()))`.
 */
export function mjpegResponse(frames: AsyncIterable<MjpegItem>, init: MjpegResponseInit = {}): Response {
  return new Response(mjpegStream(frames, init), {
    status: init.status ?? 200,
    headers: { 'Content-Type': MJPEG_CONTENT_TYPE, ...NO_CACHE_HEADERS, ...init.headers },
  });
}

/** The part of a Node `Writable` / `http.ServerResponse` that `pipeMjpeg` writes to. */
export interface MjpegSink {
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  end(): unknown;
  destroy(error?: Error): unknown;
  readonly destroyed: boolean;
  readonly writableNeedDrain: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * The same MJPEG body as `mjpegStream`, written straight to a Node writable
 * (an `http.ServerResponse` whose head is already written): the next item is
 * asked for only once the socket has drained, each part leaves in one corked
 * writev (headers, the shared frame, boundary), and no Web-stream promise
 * chain sits in between. Resolves when the body ended (source done or client
 * gone); the iterator's `return()` is called when the client goes first.
 */
export async function pipeMjpeg(
  frames: AsyncIterable<MjpegItem>,
  out: MjpegSink,
  options: MjpegStreamOptions = {},
): Promise<void> {
  const advance = options.advanceHeaders ?? false;
  const iterator = frames[Symbol.asyncIterator]();
  let gone = out.destroyed;
  let wake: (() => void) | undefined;
  const onClose = (): void => {
    gone = true;
    wake?.();
    void iterator.return?.()?.catch(() => {});
  };
  out.once('close', onClose);
  try {
    if (gone) {
      void iterator.return?.()?.catch(() => {});
      return;
    }
    out.write(advance ? Buffer.concat([OPENING, partHeader({})]) : OPENING);
    for (;;) {
      if (gone) return;
      if (out.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          out.once('drain', resolve);
        });
        out.off('drain', wake!);
        wake = undefined;
      }
      if (gone) return;
      const result = await iterator.next();
      if (gone) return;
      if (result.done) {
        out.end();
        return;
      }
      const item = result.value;
      const part: MjpegPart = isPart(item) ? item : { frame: item };
      out.cork();
      if (!advance) out.write(partHeader(part, part.frame.length));
      out.write(part.frame);
      out.write(advance ? Buffer.concat([TRAILER, partHeader({})]) : TRAILER);
      out.uncork();
      options.onFrame?.(part.frame.length);
    }
  } catch (error) {
    // A source failure mid-stream: cut the connection rather than send a half part.
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    out.off('close', onClose);
    options.onEnd?.();
  }
}

/**
 * The MJPEG writer for fetch-style servers (Hono's `app.request()`, Deno, Bun,
 * the gateway's own routes when they run without Node's socket): a Web
 * `Response` whose body is pulled by the reader, by the shared delivery policy
 * (`delivery.ts`). The client "can take a part" while a read is pending
 * (highWaterMark 0), so backpressure from the reader reaches the policy and a
 * slow reader gets the newest frame, never a backlog. Cancelling the body (the
 * client went away) stops the delivery and leaves nothing registered.
 */
import { type DeliveryOptions, FrameDelivery } from './delivery.js';
import { entryPart, MJPEG_HEADERS, openingBytes, type PartMode, placeholderPart } from './mjpeg-format.js';
import type { RingBuffer } from './ring-buffer.js';

export interface MjpegResponseOptions extends DeliveryOptions {
  /** uStreamer's `advance_headers` (see `PartMode`). Default false. */
  advanceHeaders?: boolean;
  /** Called after each part is handed to the reader, with the JPEG's size. */
  onFrame?: (bytes: number) => void;
  /** Called once when the body ends for any reason (ring closed, `signal`, reader cancelled). */
  onEnd?: () => void;
  /** Ends the stream (the gateway closing). */
  signal?: AbortSignal;
  /** Default 200. */
  status?: number;
  /** Extra response headers (merged over the MJPEG ones). */
  headers?: Record<string, string>;
}

/**
 * A Web `Response` streaming `ring` as MJPEG (`multipart/x-mixed-replace; boundary=frame`),
 * e.g. `app.get('/cam', (c) => mjpegResponse(ring, { signal: c.req.raw.signal }))`.
 */
export function mjpegResponse(ring: RingBuffer, options: MjpegResponseOptions = {}): Response {
  const mode: PartMode = options.advanceHeaders ? 'advance' : 'normal';
  let pending: (() => void) | undefined;
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    delivery.stop();
    options.signal?.removeEventListener('abort', onAbort);
    options.onEnd?.();
    pending?.();
    pending = undefined;
  };
  const onAbort = (): void => {
    finish();
    controller.close();
  };
  const delivery = new FrameDelivery(ring, options, {
    ready: () => pending !== undefined,
    send(what) {
      const frame = what.kind === 'frame' ? what.entry.frame : options.placeholder!;
      controller.enqueue(
        what.kind === 'frame' ? entryPart(what.entry, mode) : placeholderPart(options.placeholder!, mode),
      );
      options.onFrame?.(frame.length);
      const done = pending;
      pending = undefined;
      done?.();
    },
    end() {
      finish();
      controller.close();
    },
    fail(error) {
      finish();
      controller.error(error);
    },
  });
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        // Opening boundary first, without waiting for a frame: clients see headers and the boundary at once.
        c.enqueue(openingBytes(mode));
        if (options.signal?.aborted) {
          ended = true;
          options.onEnd?.();
          c.close();
          return;
        }
        options.signal?.addEventListener('abort', onAbort, { once: true });
        delivery.start();
      },
      pull() {
        if (ended) return;
        return new Promise<void>((resolve) => {
          pending = resolve;
          delivery.wake();
        });
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: options.status ?? 200,
    headers: { ...MJPEG_HEADERS, ...options.headers },
  });
}

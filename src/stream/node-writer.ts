/**
 * The MJPEG writer for Node: one client's stream written straight to its socket
 * from inside the ring's `add()` (push, not pull), by the shared delivery policy
 * (`delivery.ts`). The client "can take a part" when its socket has no backlog
 * (`writableNeedDrain` false) and, on Linux, when its application is ready for
 * one (`tcp-pacer.ts`: a slow reader is sent a frame when it asks for one instead
 * of megabytes of backlog); a backed-up client is woken by `drain` (or by the
 * pacer) and then gets the newest frame, skipping the rest. Each part is one shared buffer
 * (`mjpeg-format.ts`), so a send is one socket write.
 */
import { type DeliveryOptions, FrameDelivery, type Send } from './delivery.js';
import type { FreshnessStats } from './freshness.js';
import { entryPart, openingBytes, type PartMode, placeholderPart } from './mjpeg-format.js';
import type { RingBuffer } from './ring-buffer.js';
import { TcpPacer } from './tcp-pacer.js';

/** The part of a Node `Writable` (a socket, an `http.ServerResponse`) the writer uses. */
export interface MjpegSink {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  readonly destroyed: boolean;
  readonly writableNeedDrain: boolean;
  readonly writableLength: number;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * A Node `http.ServerResponse` as far as the writer uses it. Once its head is sent without
 * chunked coding, the body bytes go to its socket directly (the same bytes, minus the
 * response's per-write bookkeeping); `end()`, `destroy()` and `'close'` stay on the response.
 */
export interface MjpegResponseSink extends MjpegSink {
  readonly socket?: MjpegSink | null;
  readonly headersSent?: boolean;
  readonly chunkedEncoding?: boolean;
}

export interface NodeStreamOptions extends DeliveryOptions {
  /** uStreamer's `advance_headers` (see `PartMode`). Default false. */
  advanceHeaders?: boolean;
  /** Called after each part is handed to the socket, with the JPEG's size. */
  onFrame?: (bytes: number) => void;
  /**
   * Pace the client to what it reads (Linux: TCP_INFO; see `tcp-pacer.ts`), so a slow reader
   * gets a fresh frame each time it asks instead of a backlog. Default true; ignored in
   * advance-headers mode and when the body is not a TCP socket.
   */
  pacing?: boolean;
  /** Called when the client read a frame (as far as TCP tells), with its age then, seconds. */
  onConsumed?: (ageSeconds: number) => void;
  /** Called once at the start with where to read how the client is paced (undefined: not paced). */
  onPacer?: (stats: (() => FreshnessStats) | undefined) => void;
  /** Called once when the body ended for any reason (ring closed, `signal`, client gone). */
  onEnd?: () => void;
  /** Ends the stream (the gateway closing): the body is ended after the part in flight. */
  signal?: AbortSignal;
}

/** Where the body bytes go: the socket under a response whose head is out and that adds no framing. */
function bodySink(out: MjpegResponseSink): MjpegSink {
  const socket = out.socket;
  return socket && out.headersSent === true && out.chunkedEncoding === false ? socket : out;
}

/**
 * Streams `ring` to `out` (a response whose head is already written, or any writable) as
 * MJPEG. Resolves when the body ended; `onEnd` runs once then.
 */
export function streamMjpegToNode(
  ring: RingBuffer,
  out: MjpegResponseSink,
  options: NodeStreamOptions = {},
): Promise<void> {
  return new Promise((resolve) => {
    const body = bodySink(out);
    const mode: PartMode = options.advanceHeaders ? 'advance' : 'normal';
    const signal = options.signal;
    let finished = false;
    let drainArmed = false;
    const finish = (endBody: boolean): void => {
      if (finished) return;
      finished = true;
      delivery.stop();
      pacer?.stop();
      out.off('close', onClose);
      if (drainArmed) body.off('drain', onDrain);
      signal?.removeEventListener('abort', onAbort);
      if (endBody && !out.destroyed) out.end();
      options.onEnd?.();
      resolve();
    };
    const onDrain = (): void => {
      drainArmed = false;
      delivery.wake();
    };
    const onClose = (): void => finish(false);
    const onAbort = (): void => {
      if (body.writableNeedDrain && !out.destroyed) {
        // A part is still in flight: end after it (whoever aborted may cut a stalled client off instead).
        finish(false);
        body.once('drain', () => out.end());
        return;
      }
      finish(true);
    };
    const delivery = new FrameDelivery(ring, options, {
      ready() {
        if (body.destroyed) {
          // Gone (the response's 'close' follows on a later tick): write nothing more.
          finish(false);
          return false;
        }
        if (!body.writableNeedDrain) return pacer === undefined || pacer.ready();
        if (!drainArmed) {
          drainArmed = true;
          body.once('drain', onDrain);
        }
        return false;
      },
      send(what: Send) {
        const frame = what.kind === 'frame';
        const jpeg = frame ? what.entry.frame : options.placeholder!;
        const part = frame ? entryPart(what.entry, mode) : placeholderPart(jpeg, mode);
        if (pacer === undefined) {
          body.write(part);
        } else {
          body.write(pacer.rest(part));
          pacer.partWritten(part.length, frame ? what.entry : undefined);
        }
        options.onFrame?.(jpeg.length);
      },
      end: () => finish(true),
      fail(error) {
        out.destroy(error);
        finish(false);
      },
    });
    const pacer =
      options.pacing !== false && mode === 'normal' && body === out.socket
        ? TcpPacer.create(body, {
            ring,
            wake: () => delivery.wake(),
            ...(options.onConsumed ? { onConsumed: options.onConsumed } : {}),
          })
        : undefined;
    options.onPacer?.(pacer ? () => pacer.stats() : undefined);
    if (out.destroyed || signal?.aborted) {
      pacer?.stop();
      if (!out.destroyed) out.end();
      finished = true;
      options.onEnd?.();
      resolve();
      return;
    }
    out.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Opening boundary first, without waiting for a frame: clients see headers and the boundary at once.
    body.write(openingBytes(mode));
    delivery.start();
  });
}

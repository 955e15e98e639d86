/**
 * The gateway's MJPEG hot path on Node: one client's stream written straight
 * from the ring's `add()` (push, not pull). The same body and the same
 * per-client rules as `pipeMjpeg(latestFrames(ring, …), res)` — newest frame
 * only (a slow client skips frames, never queues more than one part), fps cap,
 * still-frame re-send, placeholder while offline, advance headers — without
 * a promise, generator step, AbortSignal or timer per frame:
 *
 * - the ring calls every client synchronously when a frame is added;
 * - each part (header block, JPEG, boundary) is built once per ring entry and
 *   shared by all clients: one buffer, one socket write per client;
 * - a client's one timer (re-send / fps gap) is re-armed only when it fires
 *   early, not on every frame.
 */
import type { LatestFramesOptions } from './latest-frames.js';
import {
  MJPEG_BOUNDARY,
  type MjpegSink,
  type MjpegStreamOptions,
  partHeader,
  partHeaderText,
} from './mjpeg.js';
import { nowSeconds, type RingBuffer, type RingbufferEntry } from './ring-buffer.js';

export interface LatestMjpegOptions extends Omit<LatestFramesOptions, 'signal'>, MjpegStreamOptions {
  /** Ends the stream (the gateway closing): the body is ended after the part in flight. */
  signal?: AbortSignal;
}

const OPENING = Buffer.from(`--${MJPEG_BOUNDARY}\r\n`);
const TRAILER = Buffer.from(`\r\n--${MJPEG_BOUNDARY}\r\n`);

/** Whole parts per entry, shared by every client; gone with the entry. */
const parts = new WeakMap<RingbufferEntry, Buffer>();
/** advance_headers mode: boundary + the next part's headers, per entry (its X-Timestamp is the first send). */
const advanceTrailers = new WeakMap<RingbufferEntry, Buffer>();

/**
 * The whole part (headers, JPEG, boundary) per entry, built once on its first send and
 * shared by every client: one copy per frame — never one per client — so each client's
 * send is a single socket write instead of three corked ones.
 */
function partOf(entry: RingbufferEntry): Buffer {
  let part = parts.get(entry);
  if (part === undefined) {
    // Everything goes straight into the one buffer: no header Buffer of its own, no concat.
    const head = partHeaderText(entry, entry.frame.length);
    const frame = entry.frame;
    part = Buffer.allocUnsafeSlow(head.length + frame.length + TRAILER.length);
    part.write(head, 0, 'latin1');
    part.set(frame, head.length);
    part.set(TRAILER, head.length + frame.length);
    parts.set(entry, part);
  }
  return part;
}

function advanceTrailer(): Buffer {
  return Buffer.concat([TRAILER, partHeader({})]);
}

function advanceTrailerOf(entry: RingbufferEntry): Buffer {
  let trailer = advanceTrailers.get(entry);
  if (trailer === undefined) {
    trailer = advanceTrailer();
    advanceTrailers.set(entry, trailer);
  }
  return trailer;
}

/**
 * A Node `http.ServerResponse` as far as `pipeLatestMjpeg` uses it. Once its
 * head is sent without chunked coding, the body bytes are written to its
 * socket directly (the same bytes, minus the response's per-write
 * bookkeeping); `end()`, `destroy()` and `'close'` stay on the response.
 */
export interface MjpegResponseSink extends MjpegSink {
  readonly socket?: MjpegSink | null;
  readonly headersSent?: boolean;
  readonly chunkedEncoding?: boolean;
}

/** Where the body bytes go: the socket under a response whose head is out and that adds no framing. */
function bodySink(out: MjpegResponseSink): MjpegSink {
  const socket = out.socket;
  return socket && out.headersSent === true && out.chunkedEncoding === false ? socket : out;
}

type Timer = ReturnType<typeof setTimeout>;
type Wake = 'start' | 'frame' | 'timer' | 'drain';

class LatestMjpegWriter {
  readonly #ring: RingBuffer;
  /** The response: end, destroy, 'close'. */
  readonly #out: MjpegSink;
  /** Where body bytes are written and backpressure is read: the response's socket, or the response. */
  readonly #body: MjpegSink;
  readonly #options: LatestMjpegOptions;
  readonly #online: () => boolean;
  readonly #resendMs: number;
  readonly #gapMs: number;
  readonly #advance: boolean;
  readonly #finished: () => void;
  /** Index of the last ring entry sent (-1: none yet). */
  #last = -1;
  /** performance.now() of the last part sent (for the fps cap). */
  #sentAt = Number.NEGATIVE_INFINITY;
  /** When this client started waiting for news (the re-send clock). */
  #quietSince = 0;
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #drainArmed = false;
  #done = false;
  #unsubscribe: () => void = () => {};

  constructor(ring: RingBuffer, out: MjpegResponseSink, options: LatestMjpegOptions, finished: () => void) {
    this.#ring = ring;
    this.#out = out;
    this.#body = bodySink(out);
    this.#options = options;
    this.#online = options.online ?? (() => true);
    this.#resendMs = options.resendMs ?? 1000;
    this.#gapMs = options.fpsCap ? 1000 / options.fpsCap : 0;
    this.#advance = options.advanceHeaders ?? false;
    this.#finished = finished;
  }

  start(): void {
    const out = this.#out;
    const signal = this.#options.signal;
    if (out.destroyed || signal?.aborted) {
      if (!out.destroyed) out.end();
      this.#finish(false);
      return;
    }
    out.once('close', this.#onClose);
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    // Opening boundary first, without waiting for a frame: clients see headers and the boundary at once.
    this.#body.write(this.#advance ? Buffer.concat([OPENING, partHeader({})]) : OPENING);
    this.#unsubscribe = this.#ring.subscribe(this.#onFrame);
    this.#step('start');
  }

  readonly #onFrame = (): void => this.#step('frame');
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#step('timer');
  };
  readonly #onDrain = (): void => {
    this.#drainArmed = false;
    this.#step('drain');
  };
  readonly #onClose = (): void => this.#finish(false);
  readonly #onAbort = (): void => {
    const out = this.#out;
    if (this.#body.writableNeedDrain && !out.destroyed) {
      // A part is still in flight: end after it (whoever aborted may cut a stalled client off instead).
      this.#finish(false);
      this.#body.once('drain', () => out.end());
      return;
    }
    this.#finish(true);
  };

  #step(wake: Wake): void {
    if (this.#done) return;
    try {
      this.#decide(wake);
    } catch (error) {
      // A source failure mid-stream (e.g. `online()` threw): cut the connection rather than send a half part.
      this.#out.destroy(error instanceof Error ? error : new Error(String(error)));
      this.#finish(false);
    }
  }

  /** One turn of the per-client loop of `latestFrames`, run on every wake-up instead of awaited. */
  #decide(wake: Wake): void {
    const out = this.#body;
    if (out.destroyed) {
      // Gone (the response's 'close' follows on a later tick): write nothing more.
      this.#finish(false);
      return;
    }
    if (out.writableNeedDrain) {
      // Backpressure: nothing more until the socket drained; then the newest frame (skipping the rest).
      if (!this.#drainArmed) {
        this.#drainArmed = true;
        out.once('drain', this.#onDrain);
      }
      return;
    }
    const now = performance.now();
    if (this.#gapMs > 0) {
      const ready = this.#sentAt + this.#gapMs;
      if (ready > now) {
        this.#arm(ready);
        return;
      }
    }
    const ring = this.#ring;
    const latest = ring.latest();
    if (ring.closed && (latest === undefined || latest.index <= this.#last)) {
      this.#finish(true);
      return;
    }
    const due = now >= this.#quietSince + this.#resendMs;
    if (latest === undefined || !this.#online()) {
      // Offline or no frame yet: the placeholder at once, then every resendMs.
      if (wake !== 'timer' || due) {
        const placeholder = this.#options.placeholder;
        if (placeholder) {
          const trailer = this.#advance ? advanceTrailer() : TRAILER;
          const head = this.#advance
            ? undefined
            : partHeader({ timestamp: nowSeconds() }, placeholder.length);
          this.#write(head, placeholder, trailer, now);
        }
        this.#quietSince = now;
      }
      this.#arm(this.#quietSince + this.#resendMs);
      return;
    }
    if (latest.index > this.#last) {
      this.#last = latest.index;
      this.#sendEntry(latest, now);
    } else if (due) {
      // A still source: re-send the newest frame so clients (and proxies) know the stream is alive.
      this.#sendEntry(latest, now);
    }
    if (ring.closed) {
      this.#finish(true);
      return;
    }
    this.#arm(this.#quietSince + this.#resendMs);
  }

  #sendEntry(entry: RingbufferEntry, now: number): void {
    if (this.#advance) this.#write(undefined, entry.frame, advanceTrailerOf(entry), now);
    else {
      const part = partOf(entry);
      this.#body.write(part);
      this.#sent(entry.frame.length, now);
    }
  }

  #write(head: Buffer | undefined, frame: Uint8Array, trailer: Buffer, now: number): void {
    const out = this.#body;
    out.cork();
    if (head !== undefined) out.write(head);
    out.write(frame);
    out.write(trailer);
    out.uncork();
    this.#sent(frame.length, now);
  }

  #sent(frameBytes: number, now: number): void {
    this.#sentAt = now;
    this.#quietSince = now;
    this.#options.onFrame?.(frameBytes);
  }

  /** Make sure a wake-up comes by `at`: an earlier timer is kept (it re-arms when it fires early). */
  #arm(at: number): void {
    if (this.#timer !== undefined) {
      if (this.#timerAt <= at) return;
      clearTimeout(this.#timer);
    }
    this.#timerAt = at;
    // Timers may fire a fraction of a millisecond early: the wake-up re-checks and re-arms.
    this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - performance.now())));
  }

  #finish(endBody: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#unsubscribe();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const out = this.#out;
    out.off('close', this.#onClose);
    if (this.#drainArmed) this.#body.off('drain', this.#onDrain);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    if (endBody && !out.destroyed) out.end();
    this.#finished();
  }
}

/**
 * Streams `ring` to `out` (a Node `http.ServerResponse` whose head is already
 * written) as MJPEG, one client's view: the newest frame it has not had,
 * written from inside `ring.add()`. Resolves when the body ended (ring
 * closed, `signal` aborted, or the client gone); `onEnd` runs once then.
 */
export function pipeLatestMjpeg(
  ring: RingBuffer,
  out: MjpegResponseSink,
  options: LatestMjpegOptions = {},
): Promise<void> {
  return new Promise((resolve) => {
    new LatestMjpegWriter(ring, out, options, () => {
      options.onEnd?.();
      resolve();
    }).start();
  });
}

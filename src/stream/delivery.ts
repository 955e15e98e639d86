/**
 * The one MJPEG delivery policy, shared by every writer (the Node socket writer
 * and the Web `Response`): send each client the *newest* frame it has not had,
 * when the client can take it (frames it was too slow for are skipped, never
 * queued); re-send the last frame of a still camera every `resendMs`; send the
 * placeholder (NO SIGNAL card) at once while the camera is offline or has sent
 * nothing yet, then every `resendMs`; never more than `fpsCap` frames a second;
 * with `dualFinal`, a second copy of the last frame as soon as the camera is
 * still (about two frame intervals without a newer one) — uStreamer's
 * `dual_final_frames`: WebKit paints the last part of a series late otherwise.
 * No promise, generator step or timer per frame: the ring calls the delivery
 * from inside `add()`, and one timer per client is re-armed only when needed.
 * A writer says when its client can take a part (`ready()`), and calls
 * `wake()` when that changes.
 */
import type { RingBuffer, RingbufferEntry } from './ring-buffer.js';

export interface DeliveryOptions {
  /** Whether the source is live; while false the placeholder is sent instead of stale frames. Default: always. */
  online?: () => boolean;
  /** JPEG sent while offline or before the first frame; without one the stream just waits. */
  placeholder?: Uint8Array;
  /** Most frames per second for this client; unlimited when absent. */
  fpsCap?: number;
  /** Re-send the last frame (or the placeholder) after this long without news, ms. Default 1000. */
  resendMs?: number;
  /** Send the last frame twice once the camera is still (for Safari/WebKit). Default false. */
  dualFinal?: boolean;
}

/** What the policy decided to send. */
export type Send =
  | { readonly kind: 'frame'; readonly entry: RingbufferEntry }
  | { readonly kind: 'placeholder' };

/** The writer side of one client. */
export interface DeliverySink {
  /** Can the client take a part now? */
  ready(): boolean;
  /** Send this part now (the sink was ready). */
  send(what: Send): void;
  /** The ring closed and everything was sent: end the body. */
  end(): void;
  /** The policy failed (e.g. `online()` threw): cut the connection rather than send a half part. */
  fail(error: Error): void;
}

type Timer = ReturnType<typeof setTimeout>;

export class FrameDelivery {
  readonly #ring: RingBuffer;
  readonly #sink: DeliverySink;
  readonly #online: () => boolean;
  readonly #placeholder: Uint8Array | undefined;
  readonly #resendMs: number;
  readonly #gapMs: number;
  readonly #dualFinal: boolean;
  /** When the second copy of the last new frame is due (dual final frames), or undefined. */
  #finalAt: number | undefined;
  /** Index of the last ring entry sent (-1: none yet). */
  #last = -1;
  /** performance.now() of the last part sent (for the fps cap and the re-send clock). */
  #sentAt = Number.NEGATIVE_INFINITY;
  /** The last part sent was the placeholder. */
  #showingPlaceholder = false;
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #done = false;
  #unsubscribe: () => void = () => {};

  constructor(ring: RingBuffer, options: DeliveryOptions, sink: DeliverySink) {
    this.#ring = ring;
    this.#sink = sink;
    this.#online = options.online ?? (() => true);
    this.#placeholder = options.placeholder;
    this.#resendMs = options.resendMs ?? 1000;
    this.#gapMs = options.fpsCap ? 1000 / options.fpsCap : 0;
    this.#dualFinal = options.dualFinal ?? false;
  }

  /** Ring index of the last frame sent to this client (-1: none yet). */
  get lastIndex(): number {
    return this.#last;
  }

  start(): void {
    this.#unsubscribe = this.#ring.subscribe(this.#onFrame);
    this.wake();
  }

  /** Something changed for this client (it can take a part again): decide now. */
  wake(): void {
    if (this.#done) return;
    try {
      this.#decide();
    } catch (error) {
      this.stop();
      this.#sink.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Forget the client: no more callbacks, no timer, no ring listener. Idempotent. */
  stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.#unsubscribe();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #onFrame = (): void => this.wake();
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.wake();
  };

  #decide(): void {
    if (!this.#sink.ready()) return;
    const now = performance.now();
    if (this.#gapMs > 0 && this.#sentAt + this.#gapMs > now) {
      this.#arm(this.#sentAt + this.#gapMs);
      return;
    }
    const ring = this.#ring;
    const latest = ring.latest();
    if (ring.closed && (latest === undefined || latest.index <= this.#last)) {
      this.#finish();
      return;
    }
    const due = now >= this.#sentAt + this.#resendMs;
    if (latest === undefined || !this.#online()) {
      // Offline or no frame yet: the placeholder at once, then every resendMs.
      if (this.#placeholder && (!this.#showingPlaceholder || due)) this.#send({ kind: 'placeholder' }, now);
      this.#arm((this.#showingPlaceholder ? this.#sentAt : now) + this.#resendMs);
      return;
    }
    if (latest.index > this.#last) {
      this.#last = latest.index;
      this.#send({ kind: 'frame', entry: latest }, now);
      if (this.#dualFinal) this.#finalAt = now + this.#stillAfterMs(latest);
    } else if (due || (this.#finalAt !== undefined && now >= this.#finalAt)) {
      // A still source: the newest frame again, once soon (dual final frames), then every resendMs so
      // clients (and proxies) know the stream is alive.
      this.#send({ kind: 'frame', entry: latest }, now);
    }
    if (ring.closed) {
      this.#finish();
      return;
    }
    this.#arm(Math.min(this.#sentAt + this.#resendMs, this.#finalAt ?? Number.POSITIVE_INFINITY));
  }

  /** No newer frame this long after `entry` means the camera is still: two frame intervals, 50 ms to half the re-send period. */
  #stillAfterMs(entry: RingbufferEntry): number {
    const interval = (this.#ring.intervalBefore(entry) ?? 0.05) * 1000;
    return Math.min(this.#resendMs / 2, Math.max(50, 2 * interval));
  }

  #send(what: Send, now: number): void {
    this.#sentAt = now;
    this.#finalAt = undefined;
    this.#showingPlaceholder = what.kind === 'placeholder';
    this.#sink.send(what);
  }

  #finish(): void {
    this.stop();
    this.#sink.end();
  }

  /** Make sure a wake-up comes by `at`: an earlier timer is kept (it re-arms when it fires early). */
  #arm(at: number): void {
    if (this.#done) return;
    if (this.#timer !== undefined) {
      if (this.#timerAt <= at) return;
      clearTimeout(this.#timer);
    }
    this.#timerAt = at;
    // Timers may fire a fraction of a millisecond early: the wake-up re-checks and re-arms.
    this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - performance.now())));
  }
}

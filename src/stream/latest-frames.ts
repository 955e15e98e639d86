/**
 * The per-client frame source behind every MJPEG stream: the newest frame a
 * client has not seen (skipping what it was too slow for), the last frame
 * again when the camera is still, a placeholder while it is offline, an
 * optional fps cap — and nothing left registered once the client goes.
 */

import type { MjpegPart } from './mjpeg.js';
import { nowSeconds, type RingBuffer, type RingbufferEntry } from './ring-buffer.js';

export interface LatestFramesOptions {
  /** Whether the source is live; while false the placeholder is sent instead of stale frames. Default: always. */
  online?: () => boolean;
  /** JPEG sent (every `resendMs`) while offline or before the first frame; without one the stream just waits. */
  placeholder?: Uint8Array;
  /** Most frames per second to send this client; unlimited when absent. */
  fpsCap?: number;
  /** Re-send the last frame (or the placeholder) after this long without news, ms. Default 1000. */
  resendMs?: number;
  /** Ends the iteration (the gateway closing). */
  signal?: AbortSignal;
}

/** What `waitForNewerFrame` ended with. */
export type FrameWait = RingbufferEntry | 'timeout' | 'aborted' | 'closed';

type Timer = ReturnType<typeof setTimeout>;

/**
 * The first frame newer than `after` (at once if there is one), or why there
 * is none: `timeout` after `ms`, `aborted` by `signal`, `closed` ring. No timer
 * or ring waiter outlives the call.
 */
export function waitForNewerFrame(
  ring: RingBuffer,
  after: number,
  ms: number,
  signal: AbortSignal,
): Promise<FrameWait> {
  if (signal.aborted) return Promise.resolve('aborted');
  const wait = new ClientWait(ring);
  const onAbort = (): void => wait.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return wait.wait(after, ms).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * One client's cancellable wait: for a frame newer than `after` (or, with
 * `after` null, only for the timer), at most `ms`. `cancel()` resolves the
 * pending wait with 'aborted'. Hot path: no promise per ring waiter, no
 * AbortSignal, nothing left registered once it resolves.
 */
class ClientWait {
  #cancel: (() => void) | undefined;
  cancelled = false;

  constructor(readonly ring: RingBuffer) {}

  wait(after: number | null, ms: number): Promise<FrameWait> {
    return new Promise((resolve) => {
      if (this.cancelled) {
        resolve('aborted');
        return;
      }
      let settled = false;
      let timer: Timer | undefined;
      let unsubscribe: () => void = () => {};
      const done = (value: FrameWait): void => {
        if (settled) return;
        settled = true;
        this.#cancel = undefined;
        if (timer !== undefined) clearTimeout(timer);
        unsubscribe();
        resolve(value);
      };
      if (after !== null) {
        unsubscribe = this.ring.onNext(after, (entry) => done(entry ?? 'closed'));
        if (settled) return;
      }
      timer = setTimeout(() => done('timeout'), ms);
      this.#cancel = () => done('aborted');
    });
  }

  cancel(): void {
    this.cancelled = true;
    this.#cancel?.();
  }
}

async function* latestLoop(
  ring: RingBuffer,
  options: LatestFramesOptions,
  waits: ClientWait,
): AsyncGenerator<MjpegPart> {
  const online = options.online ?? (() => true);
  const resendMs = options.resendMs ?? 1000;
  const gapMs = options.fpsCap ? 1000 / options.fpsCap : 0;
  let last = -1;
  let sentAt = Number.NEGATIVE_INFINITY;
  while (!waits.cancelled) {
    // Timers may fire a fraction of a millisecond early: loop until the gap really passed.
    for (let gap = sentAt + gapMs - performance.now(); gap > 0; gap = sentAt + gapMs - performance.now()) {
      if ((await waits.wait(null, Math.ceil(gap))) === 'aborted') return;
    }
    const latest = ring.latest();
    if (ring.closed && (!latest || latest.index <= last)) return;
    if (!latest || !online()) {
      if (options.placeholder) {
        sentAt = performance.now();
        yield { frame: options.placeholder, timestamp: nowSeconds() };
      }
      const got = await waits.wait(latest?.index ?? -1, resendMs);
      if (got === 'aborted' || got === 'closed') return;
      continue;
    }
    if (latest.index > last) {
      last = latest.index;
      sentAt = performance.now();
      yield latest;
      continue;
    }
    const got = await waits.wait(last, resendMs);
    if (got === 'aborted' || got === 'closed') return;
    if (got === 'timeout' && online()) {
      // A still source: re-send the newest frame so clients (and proxies) know the stream is alive.
      const again = ring.latest();
      if (again) {
        sentAt = performance.now();
        yield again;
      }
    }
  }
}

/**
 * Per-client frame source over a ring: yields the newest frame this client has
 * not seen (frames it was too slow for are skipped), re-sends the last frame
 * after `resendMs` without news, honours `fpsCap`, and sends `placeholder`
 * while offline. `return()` (the client leaving) ends it at once and leaves no
 * timer or ring waiter behind.
 */
export function latestFrames(
  ring: RingBuffer,
  options: LatestFramesOptions = {},
): AsyncIterableIterator<MjpegPart> {
  const waits = new ClientWait(ring);
  const outer = options.signal;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    outer?.removeEventListener('abort', finish);
    waits.cancel();
  };
  if (outer?.aborted) finish();
  else outer?.addEventListener('abort', finish, { once: true });
  const loop = latestLoop(ring, options, waits);
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return done;
      const result = await loop.next();
      if (result.done) {
        finish();
        return done;
      }
      return result;
    },
    async return() {
      finish();
      return done;
    },
  };
}

/**
 * A fixed-capacity ring of the latest frames, shared by every reader (the
 * LabThings `MJPEGStream` ring buffer, without its slot race: an entry's index
 * and its publication happen in one synchronous step).
 */

export interface RingbufferEntry {
  /** The JPEG bytes; shared by all readers, never copied per reader. Do not mutate. */
  readonly frame: Buffer;
  /** Host receive time, seconds since the Unix epoch with microsecond resolution. */
  readonly timestamp: number;
  /** Strictly increasing, starting at 0; never reused. */
  readonly index: number;
  /** The device's own clock in microseconds (device uptime), when its protocol carries one. */
  readonly deviceTimeUs?: number;
}

/** How often the clock is re-anchored to the wall clock, ms. */
const ANCHOR_EVERY_MS = 1000;
let anchorMs = Date.now() - performance.now();
let anchoredAt = performance.now();
let lastSeconds = 0;

/**
 * Host clock in seconds since the Unix epoch with microsecond resolution: the monotonic clock,
 * re-anchored to the wall clock once a second (on VMs the two drift apart by ~0.5 %, seconds per
 * hour), and never going backwards.
 */
export function nowSeconds(): number {
  const p = performance.now();
  if (p - anchoredAt >= ANCHOR_EVERY_MS) {
    anchorMs = Date.now() - p;
    anchoredAt = p;
  }
  const seconds = (anchorMs + p) / 1000;
  if (seconds > lastSeconds) lastSeconds = seconds;
  return lastSeconds;
}

const noop = (): void => {};

/** A `subscribe()` listener: every new entry, then `undefined` once when the ring closes. Must not throw. */
export type RingListener = (entry: RingbufferEntry | undefined) => void;

interface Waiter {
  resolve(entry: RingbufferEntry | undefined): void;
}

export class RingBuffer {
  readonly capacity: number;
  readonly #slots: (RingbufferEntry | undefined)[];
  #nextIndex = 0;
  #closed = false;
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<RingListener>();

  /** @param capacity how many latest frames to keep (at least 1; the gateway's default is `--ring`'s). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`"capacity" must be a whole number ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#slots = new Array<RingbufferEntry | undefined>(capacity);
  }

  /** Index the next `add()` will assign. */
  get nextIndex(): number {
    return this.#nextIndex;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Readers currently waiting in `next()` / `onNext()`, plus `subscribe()` listeners. */
  get waiting(): number {
    return this.#waiters.size + this.#listeners.size;
  }

  /** Store a frame, assign its index and timestamp, and wake every waiting reader. */
  add(frame: Buffer, deviceTimeUs?: number, timestamp = nowSeconds()): RingbufferEntry {
    if (this.#closed) throw new Error('ring buffer is closed');
    const index = this.#nextIndex++;
    const entry: RingbufferEntry =
      deviceTimeUs === undefined ? { frame, timestamp, index } : { frame, timestamp, index, deviceTimeUs };
    this.#slots[index % this.capacity] = entry;
    if (this.#waiters.size > 0) {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const w of waiters) w.resolve(entry);
    }
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** The newest entry, or undefined before the first frame. */
  latest(): RingbufferEntry | undefined {
    if (this.#nextIndex === 0) return undefined;
    return this.#slots[(this.#nextIndex - 1) % this.capacity];
  }

  /** The entry with this index. Throws a RangeError naming why for an overwritten or future index. */
  get(index: number): RingbufferEntry {
    if (!Number.isInteger(index) || index < 0)
      throw new RangeError(`frame index must be a whole number ≥ 0, got ${index}`);
    if (index >= this.#nextIndex) {
      throw new RangeError(`frame ${index} does not exist yet (newest is ${this.#nextIndex - 1})`);
    }
    const oldest = Math.max(0, this.#nextIndex - this.capacity);
    if (index < oldest) {
      throw new RangeError(
        `frame ${index} was overwritten (the ring keeps frames ${oldest}..${this.#nextIndex - 1})`,
      );
    }
    return this.#slots[index % this.capacity]!;
  }

  /** Seconds between `entry` and the frame before it while that one is kept (the camera's current frame interval). */
  intervalBefore(entry: RingbufferEntry): number | undefined {
    const index = entry.index - 1;
    if (index < 0 || index < this.#nextIndex - this.capacity) return undefined;
    const previous = this.#slots[index % this.capacity];
    return previous && previous.index === index ? entry.timestamp - previous.timestamp : undefined;
  }

  /**
   * The newest entry with an index greater than `afterIndex`: at once if one
   * exists (frames in between are skipped: readers always get the newest),
   * otherwise the next one added. Resolves `undefined` when the ring is closed;
   * rejects with the signal's reason when `signal` aborts. Pass -1 for "any".
   */
  next(afterIndex: number, signal?: AbortSignal): Promise<RingbufferEntry | undefined> {
    const latest = this.latest();
    if (latest && latest.index > afterIndex) return Promise.resolve(latest);
    if (this.#closed) return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RingbufferEntry | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (entry) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(entry);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Callback form of `next()` for hot paths (no promise, no AbortSignal):
   * `callback` runs once with the newest entry after `afterIndex` —
   * synchronously if one exists now — or with `undefined` when the ring
   * closes. Returns a function that cancels the wait (a no-op once called back).
   */
  onNext(afterIndex: number, callback: (entry: RingbufferEntry | undefined) => void): () => void {
    const latest = this.latest();
    if ((latest && latest.index > afterIndex) || this.#closed) {
      callback(latest && latest.index > afterIndex ? latest : undefined);
      return noop;
    }
    const waiter: Waiter = { resolve: callback };
    this.#waiters.add(waiter);
    return () => {
      this.#waiters.delete(waiter);
    };
  }

  /**
   * Fan-out form for hot paths: `listener` runs synchronously inside every
   * later `add()` with the new entry, and once with `undefined` when the ring
   * closes (at once if it already is). No per-frame registration, promise or
   * allocation. Returns the unsubscribe function.
   */
  subscribe(listener: RingListener): () => void {
    if (this.#closed) {
      listener(undefined);
      return noop;
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Every new entry as it arrives (skipping any the reader was too slow for), until close or abort. */
  async *entries(signal?: AbortSignal, afterIndex = -1): AsyncGenerator<RingbufferEntry> {
    let last = afterIndex;
    for (;;) {
      const entry = await this.next(last, signal);
      if (!entry) return;
      last = entry.index;
      yield entry;
    }
  }

  /** End every waiter (they resolve `undefined`) and refuse further frames. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w.resolve(undefined);
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(undefined);
  }
}

/**
 * The bytes a push decoder still needs (a frame in progress, a header waiting for
 * its length), kept in one growable buffer. Offsets handed out are relative to the
 * oldest retained byte, so compaction never invalidates them between pushes.
 */
export class ByteStore {
  private data: Buffer = Buffer.alloc(0);
  private head = 0;
  private tail = 0;

  /** Bytes currently retained. */
  get length(): number {
    return this.tail - this.head;
  }

  /** The backing buffer; index it with `base + offset`. Valid until the next `append`. */
  get buffer(): Buffer {
    return this.data;
  }

  /** Absolute index of relative offset 0 in `buffer`. */
  get base(): number {
    return this.head;
  }

  /** Byte at relative offset `i` (caller checks `i < length`). */
  at(i: number): number {
    return this.data[this.head + i]!;
  }

  append(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.tail + n > this.data.length) {
      const live = this.tail - this.head;
      if (live + n <= this.data.length && this.head >= live) {
        this.data.copy(this.data, 0, this.head, this.tail);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(live + n, this.data.length * 2, 4096));
        this.data.copy(grown, 0, this.head, this.tail);
        this.data = grown;
      }
      this.head = 0;
      this.tail = live;
    }
    this.data.set(chunk, this.tail);
    this.tail += n;
  }

  /** Forget the first `n` retained bytes. */
  discard(n: number): void {
    this.head += Math.min(n, this.length);
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      // Give back a buffer grown for one huge frame once it is no longer needed.
      if (this.data.length > 1 << 20) this.data = Buffer.alloc(0);
    }
  }

  /** A copy of [from, to) (relative offsets), owned by the caller. */
  copy(from: number, to: number): Buffer {
    return Buffer.from(this.data.subarray(this.head + from, this.head + to));
  }

  /** Forget everything. */
  clear(): void {
    this.head = 0;
    this.tail = 0;
    this.data = Buffer.alloc(0);
  }
}

/**
 * Copy src[from, to) into dst at `at`. Cheaper than `Buffer#copy` for the small, whole chunks a
 * serial port hands over: a whole source is one `TypedArray#set` (no view allocated), a few bytes
 * are a plain loop (no native call), only a part of a large source allocates a `subarray` view.
 */
export function copyInto(dst: Uint8Array, at: number, src: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (from === 0 && n === src.length) {
    dst.set(src, at);
  } else if (n <= 16) {
    for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  } else {
    dst.set(src.subarray(from, to), at);
  }
}

/**
 * What a decoder's `push` returns when the bytes completed no event: one shared, frozen, empty
 * array instead of a fresh one per push (a serial port at 64-byte reads pushes ~16 000 times per MB).
 */
export const NO_EVENTS: readonly never[] = Object.freeze([]);

/** Decoders take input in slices of at most this many bytes, so one huge push cannot grow memory past the frame bound. */
export const INPUT_SLICE = 64 * 1024;

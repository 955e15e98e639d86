/**
 * A camera's pre-roll: its frames of the last `--preroll` seconds, at most
 * `maxBytes` of them, for clips of what just happened. It holds the ring's own
 * frame buffers (shared, never copied) and its listener only appends and drops
 * from the front, so keeping it costs the live stream next to nothing.
 */
import type { RingBuffer, RingbufferEntry } from '../../stream/ring-buffer.js';
import { assemble, type MkvOutput, MkvWriter } from './mkv.js';
import { trackSize } from './segment.js';

export class Preroll {
  readonly seconds: number;
  readonly maxBytes: number;
  readonly #ring: RingBuffer;
  /** Kept frames, oldest first, from `#head` on (the front is dropped lazily, without shifting). */
  #entries: (RingbufferEntry | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #unsubscribe: (() => void) | undefined;

  constructor(ring: RingBuffer, seconds: number, maxBytes: number) {
    this.#ring = ring;
    this.seconds = seconds;
    this.maxBytes = maxBytes;
  }

  start(): void {
    this.#unsubscribe ??= this.#ring.subscribe(this.#onFrame);
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  /** Frames kept and their bytes. */
  get frames(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  readonly #onFrame = (entry: RingbufferEntry | undefined): void => {
    if (!entry) return;
    this.#entries.push(entry);
    this.#bytes += entry.frame.length;
    const oldest = entry.timestamp - this.seconds;
    while (this.#head < this.#entries.length - 1) {
      const first = this.#entries[this.#head]!;
      if (first.timestamp >= oldest && this.#bytes <= this.maxBytes) break;
      this.#bytes -= first.frame.length;
      this.#entries[this.#head++] = undefined; // the frame's buffer can go
    }
    // Compact once the dropped front outgrows what is kept (amortised O(1) per frame).
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  };

  /** The kept frames from the last `seconds` before `now` (epoch seconds), oldest first. */
  last(seconds: number, now: number): RingbufferEntry[] {
    const from = now - seconds;
    const out: RingbufferEntry[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i];
      if (entry && entry.timestamp >= from) out.push(entry);
    }
    return out;
  }
}

/** Frames as one finished Matroska file in memory (each at its own timestamp). */
export function clipFile(entries: readonly RingbufferEntry[]): Buffer {
  const first = entries[0];
  if (!first) throw new RangeError('a clip needs at least one frame');
  const out: MkvOutput = { append: [], patches: [] };
  const writer = new MkvWriter({ start: first.timestamp, ...trackSize(first.frame) }, out);
  for (const entry of entries) writer.add(entry.frame, entry.timestamp, out);
  writer.finish(out);
  return assemble(out);
}

/**
 * The shared skeleton of the device protocols whose binary frames are interleaved
 * with printed text (ArduCAM Mini, Arducam Mega, OpenIris): input lands in a bounded
 * `ByteStore`, text between frames goes through a `TextLineReader`, and a decoder
 * alternates between reading text until a frame starts and reading that frame.
 * Subclasses supply the two readers; push/end bookkeeping lives here once.
 */

import {
  checkMaxFrameBytes,
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from '../types.js';
import { ByteStore, INPUT_SLICE } from './byte-store.js';
import { NextOf } from './next-of.js';
import { stopTable, TextLineReader } from './text-lines.js';

/** The NUL pattern's bit in the boundary mask: a NUL ends junk only outside a rescan. */
const NUL_BIT = 1 << 2;

/** After a NUL, a byte that makes it junk again at once: neither text, nor TAB, LF, CR or another NUL. */
function isJunkAfterNul(b: number): boolean {
  return b !== 0x00 && b !== 0x09 && b !== 0x0a && b !== 0x0d && (b < 0x20 || b > 0x7e);
}

export abstract class TextFrameDecoder implements Decoder {
  abstract readonly protocol: string;
  readonly stats: DecoderStats = emptyStats();
  protected readonly maxFrameBytes: number;
  protected readonly store = new ByteStore();
  protected readonly text = new TextLineReader();
  /** Next unprocessed byte while reading text, relative to the store. */
  protected pos = 0;

  constructor(options: DecoderOptions = {}) {
    this.maxFrameBytes = checkMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** Bytes currently retained (a frame in progress, a pending text line). */
  get bufferedBytes(): number {
    return this.store.length + this.text.pending;
  }

  push(chunk: Uint8Array): DeviceEvent[] {
    const events: DeviceEvent[] = [];
    this.stats.bytesIn += chunk.length;
    if (chunk.length <= INPUT_SLICE) {
      // A serial port's read: no view to make.
      this.store.append(chunk);
      this.run(events, false);
      return events;
    }
    for (let off = 0; off < chunk.length; off += INPUT_SLICE) {
      this.store.append(chunk.subarray(off, Math.min(chunk.length, off + INPUT_SLICE)));
      this.run(events, false);
    }
    return events;
  }

  end(): DeviceEvent[] {
    const events: DeviceEvent[] = [];
    this.run(events, true);
    this.text.abandon();
    this.stats.bytesSkipped += this.text.takeSkipped();
    this.store.clear();
    this.pos = 0;
    this.resetFrame();
    return events;
  }

  /**
   * Reads text until a frame starts (`inFrame()` becomes true) or the bytes run out: runs of text
   * and junk go through the line reader in bulk, stopping only where a frame may start. Junk (a
   * line that did not start at a boundary, the bytes of a broken frame being rescanned) cannot
   * become text before the next line end (or NUL), so the scan jumps there, or to the next frame
   * start, with `indexOf`.
   */
  protected readText(events: DeviceEvent[], eof: boolean): void {
    const store = this.store;
    const len = store.length;
    const base = store.base;
    const buf = store.buffer;
    const text = this.text;
    if (!this.#stops) {
      this.#stops = stopTable(this.frameNeedles.map((n) => n[0]!));
      this.#boundaries = new NextOf([0x0a, 0x0d, 0x00, ...this.frameNeedles]);
      this.#longestNeedle = Math.max(...this.frameNeedles.map((n) => n.length));
    }
    this.#boundaries!.reset(buf, base + len);
    const stops = this.#stops;
    let pos = this.pos;
    while (pos < len) {
      const junk = text.junkUntil;
      if (junk !== 0) {
        const next = this.#nextBoundary(buf, base + pos, base + len, junk === 2) - base;
        if (next > pos) {
          text.skipJunk(buf, base + pos, base + next);
          pos = next;
          continue;
        }
      }
      pos = text.feed(buf, base + pos, base + len, stops) - base;
      if (text.line !== null) {
        this.onLine(text.line, events);
        continue;
      }
      if (pos >= len) break;
      if (stops[buf[base + pos]!] !== 1) continue; // junk starts: jump over it
      const start = this.frameAt(pos);
      if (start === 'yes') {
        this.startFrame(pos);
        return;
      }
      if (start === 'maybe' && !eof) break;
      const line = text.push(buf[base + pos]!);
      pos++;
      if (line !== null) this.onLine(line, events);
    }
    this.consumeText(pos);
  }

  /**
   * The first LF, CR, frame start (or NUL that may start text) in buf[from, end) (a start cut by
   * `end` counts), else `end`. A NUL followed by more junk changes nothing (JPEG data is full of
   * `FF 00`): only one followed by text, a line end or the end is a boundary.
   */
  #nextBoundary(buf: Buffer, from: number, end: number, nul: boolean): number {
    const boundaries = this.#boundaries!;
    let next = boundaries.next(from, nul ? ~0 : ~NUL_BIT);
    while (nul && next + 1 < end && buf[next] === 0x00 && isJunkAfterNul(buf[next + 1]!)) {
      next = boundaries.next(next + 1, ~0);
    }
    // A frame start may begin in the last bytes, cut by the end of what arrived.
    return next < end ? next : Math.max(from, end - (this.#longestNeedle - 1));
  }

  /** A completed line of text between frames: two or more characters become a log event. */
  protected onLine(line: string, events: DeviceEvent[]): void {
    if (line.length >= 2) events.push({ type: 'log', text: line });
    else if (line.length === 1) this.text.reject(this.text.lastRaw);
  }

  /** Text was read up to store offset `pos`: count what the line reader judged junk and drop those bytes. */
  protected consumeText(pos: number): void {
    this.stats.bytesSkipped += this.text.takeSkipped();
    this.discardBytes(pos);
    this.pos = 0;
  }

  /** A frame starts at store offset `pos`: the pending partial line was junk; the frame moves to offset 0. */
  protected beginFrame(pos: number): void {
    this.text.abandon();
    this.consumeText(pos);
    this.framing = true;
  }

  /** Forget the first `n` retained bytes. */
  protected discardBytes(n: number): void {
    this.store.discard(n);
  }

  /** Set by `readText` when a frame starts at store offset 0, cleared when it is read. */
  protected framing = false;

  /** True while a frame (whose start is at store offset 0) is being read. */
  protected inFrame(): boolean {
    return this.framing;
  }
  /** The byte sequences a frame starts with: `frameAt` says 'yes' exactly where one stands. */
  protected abstract readonly frameNeedles: readonly Buffer[];
  /** The first bytes of `frameNeedles`: where text reading stops to ask `frameAt`. */
  #stops: Uint8Array | undefined;
  /** Line ends, NUL and frame starts, found while junk is skipped. */
  #boundaries: NextOf | undefined;
  #longestNeedle = 1;
  /** Whether a frame starts at store offset `pos` (where one of `frameNeedles` begins); `maybe`: too few bytes yet to tell. */
  protected abstract frameAt(pos: number): 'yes' | 'no' | 'maybe';
  /** A frame starts at store offset `pos`: move it to offset 0 (`beginFrame`) and set up reading it. */
  protected abstract startFrame(pos: number): void;
  /** Reads the current frame; returns false when it needs more bytes. */
  protected abstract readFrame(events: DeviceEvent[], eof: boolean): boolean;
  /** Forgets any frame in progress (end of stream). */
  protected resetFrame(): void {
    this.framing = false;
  }

  private run(events: DeviceEvent[], eof: boolean): void {
    for (;;) {
      if (!this.inFrame()) {
        this.readText(events, eof);
        if (!this.inFrame()) return;
      }
      if (!this.readFrame(events, eof)) return;
    }
  }
}

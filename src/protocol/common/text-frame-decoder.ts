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
import { TextLineReader } from './text-lines.js';

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

  /** One byte of text between frames: a completed line of two or more characters becomes a log event. */
  protected textByte(b: number, events: DeviceEvent[]): void {
    const line = this.text.push(b);
    if (line === null) return;
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
  /** Reads text until a frame starts (`inFrame()` becomes true) or the bytes run out. */
  protected abstract readText(events: DeviceEvent[], eof: boolean): void;
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

/**
 * ArduCAM Mini (2MP / 2MP Plus / 5MP Plus) serial sketches: text lines and bare
 * JPEGs share one byte stream, with no length prefix and no trailer.
 *
 *   ACK CMD ArduCAM Start! END\r\n          boot / command acknowledgements → log
 *   ACK CMD CAM Capture Done. END\r\n       single shot (command 0x10) …
 *   6152\r\n                                 … FIFO length: an upper bound for the JPEG
 *   ACK IMG END\r\n                          … then the JPEG (absent in the 2016 sketches)
 *   FF D8 … FF D9                            JPEG, found by walking its segments (never the first FF D9)
 *
 * Streaming (command 0x20) repeats `ACK IMG END\r\n` + JPEG. Lines are forwarded as
 * `log` events with the `ACK CMD ` / ` END` wrapping removed; the length line and
 * `ACK IMG END` are framing and are not forwarded. Anything else is counted as
 * skipped and the decoder resynchronises on the next `FF D8`.
 */

import { TextFrameDecoder } from '../common/text-frame-decoder.js';
import { declaredThumbnail } from '../jpeg/info.js';
import { swallowedSoiAt } from '../jpeg/swallowed.js';
import { JpegWalker } from '../jpeg/walker.js';
import type { DeviceEvent } from '../types.js';

/** A JPEG that breaks this far into its bytes was a real frame cut short, not noise that looked like SOI. */
const TRUNCATED_AFTER = 16;
const LENGTH_LINE = /^\d{1,10}$/;
const IMG_MARKER_SOI = Buffer.from('ACK IMG END\r\n\xff\xd8', 'latin1');
/** Shorter lines are more likely line noise than device words. */
const MIN_LOG_TEXT = 3;

/** Turns `ACK CMD OV2640 detected. END` into `OV2640 detected.`; other text is kept as sent. */
export function arducamLogText(line: string): string {
  let text = line;
  if (text.startsWith('ACK CMD')) text = text.slice('ACK CMD'.length).trimStart();
  if (text.endsWith(' END')) text = text.slice(0, -' END'.length).trimEnd();
  return text;
}

export class ArducamDecoder extends TextFrameDecoder {
  readonly protocol = 'arducam' as const;
  private readonly walker = new JpegWalker();
  /** Checks images nested in APPn segments (thumbnails) of a finished frame. */
  private readonly nestedWalker = new JpegWalker();
  /** Start of the JPEG being walked (always 0 once started), or -1 while reading text. */
  private frameStart = -1;
  /** Largest size the current JPEG may reach. */
  private frameLimit = 0;
  /** Upper bound announced by the last length line, 0 when none applies. */
  private lengthHint = 0;
  /** The last line was `… Capture Done …`: a length line may follow. */
  private captureDone = false;
  /**
   * Thumbnails [start, length) that APPn segments of JPEGs that broke declare (EXIF, JFXX),
   * while their bytes are rescanned: a JPEG found exactly there is nested data, not a frame. Where
   * a thumbnail is declared, not merely lying inside a segment, matters: a frame cut inside its
   * APP1 has a segment length that runs over the frames after it, which are real.
   */
  private nested: Array<[number, number]> = [];

  protected override inFrame(): boolean {
    return this.frameStart >= 0;
  }

  protected override resetFrame(): void {
    this.frameStart = -1;
    this.lengthHint = 0;
    this.captureDone = false;
    this.nested = [];
  }

  protected readonly frameNeedles = [Buffer.of(0xff, 0xd8)];

  /** `FF D8` starts a JPEG. */
  protected frameAt(pos: number): 'yes' | 'no' | 'maybe' {
    if (pos + 1 >= this.store.length) return 'maybe';
    return this.store.at(pos + 1) === 0xd8 ? 'yes' : 'no';
  }

  /** Forget the first `n` retained bytes, keeping `nested` pointing at the same bytes. */
  protected override discardBytes(n: number): void {
    this.store.discard(n);
    if (this.nested.length === 0) return;
    this.nested = this.nested.flatMap(([s, len]) => (s - n >= 0 ? [[s - n, len] as [number, number]] : []));
  }

  /**
   * Where the walked JPEG at [0, end) contains the start of another frame it should not:
   * `ACK IMG END` + SOI anywhere, or an SOI in a header segment that is not a whole image
   * nested inside an APPn segment (an EXIF or JFXX thumbnail). 0 when it contains none.
   */
  private swallowedFrameAt(end: number): number {
    const store = this.store;
    const frame = store.buffer.subarray(store.base, store.base + end);
    const marker = frame.indexOf(IMG_MARKER_SOI);
    if (marker > 0) return marker + IMG_MARKER_SOI.length - 2;
    return swallowedSoiAt(frame, end, this.nestedWalker);
  }

  /** Whether the JPEG at offset 0, ending at `end`, is a thumbnail a broken JPEG declared. */
  private isNested(end: number): boolean {
    return this.nested.some(([s, len]) => s === 0 && len === end);
  }

  /**
   * Records the thumbnails that the APPn segments of the broken JPEG at offset 0 declare,
   * following its segment chain from SOI while it is consistent, up to where it broke.
   */
  private recordNested(brokeAt: number): void {
    const store = this.store;
    const base = store.base;
    let i = 2;
    while (i + 4 <= brokeAt && store.at(i) === 0xff) {
      const m = store.at(i + 1);
      if (m < 0xc0 || m === 0xd8 || m === 0xd9 || m === 0xda || (m >= 0xd0 && m <= 0xd7)) return;
      const end = i + 2 + ((store.at(i + 2) << 8) | store.at(i + 3));
      if (m >= 0xe0 && m <= 0xef) {
        const thumb = declaredThumbnail(store.buffer, base + i, base + Math.min(end, brokeAt));
        if (thumb && thumb.at - base > i) this.nested.push([thumb.at - base, thumb.length]);
      }
      if (end > brokeAt) return;
      i = end;
    }
  }

  protected override onLine(line: string, events: DeviceEvent[]): void {
    if (line === '' || line === 'ACK IMG END') return;
    if (LENGTH_LINE.test(line)) {
      // Only the line right after "Capture Done" is the FIFO length.
      const n = Number(line);
      this.lengthHint = this.captureDone && n > 0 && n <= this.maxFrameBytes ? n : 0;
      this.captureDone = false;
      return;
    }
    const text = arducamLogText(line);
    if (text.length < MIN_LOG_TEXT) {
      this.text.reject(this.text.lastRaw);
      return;
    }
    this.lengthHint = 0;
    this.captureDone = text.startsWith('CAM Capture Done');
    events.push({ type: 'log', text });
  }

  protected startFrame(at: number): void {
    this.text.abandon();
    this.consumeText(at);
    this.frameStart = 0;
    this.frameLimit = this.lengthHint > 0 ? this.lengthHint : this.maxFrameBytes;
    this.lengthHint = 0;
    this.walker.reset();
  }

  /** Walks the JPEG in progress. Returns true when it finished or failed (keep going), false to wait. */
  protected readFrame(events: DeviceEvent[], eof: boolean): boolean {
    const store = this.store;
    const stop = Math.min(store.length, this.frameLimit);
    if (this.pos < stop) {
      const base = store.base;
      const r = this.walker.feed(store.buffer, base + this.pos, base + stop);
      if (r.kind === 'done') {
        const end = r.end - base;
        const swallowed = this.swallowedFrameAt(end);
        if (swallowed > 0) {
          // A JPEG cut inside its headers whose segment lengths happened to lead into the next
          // frame: what came out is half of one frame and half of the next. Rescan it.
          this.resync(swallowed, true, false);
          return true;
        }
        if (this.isNested(end)) {
          // Nested in a broken JPEG: its bytes are junk like the rest of that JPEG.
          this.stats.bytesSkipped += end;
        } else {
          events.push({ type: 'frame', jpeg: store.copy(0, end) });
          this.stats.frames++;
          this.text.boundary();
        }
        this.discardBytes(end);
        this.pos = 0;
        this.frameStart = -1;
        return true;
      }
      if (r.kind === 'invalid') {
        this.resync(r.at - base, r.at - base >= TRUNCATED_AFTER, false);
        return true;
      }
      this.pos = stop;
    }
    if (this.pos >= this.frameLimit) {
      this.resync(this.pos, false, this.frameLimit === this.maxFrameBytes);
      return true;
    }
    if (eof) {
      this.resync(this.pos, true, false);
      return true;
    }
    return false;
  }

  /** The JPEG at offset 0 broke at `brokeAt`: count it, skip its first byte and rescan what followed it. */
  private resync(brokeAt: number, truncated: boolean, oversized: boolean): void {
    this.stats.resyncs++;
    if (truncated) this.stats.truncated++;
    if (oversized) this.stats.oversized++;
    this.stats.bytesSkipped++;
    this.recordNested(brokeAt);
    this.discardBytes(1);
    this.pos = 0;
    this.frameStart = -1;
    this.text.taint();
  }
}

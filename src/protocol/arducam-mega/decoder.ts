/**
 * Arducam Mega (SPI camera, `ArducamLink` serial examples). Two framings:
 *
 * current (firmware since 2023):   FF AA <type> <u32 LE len> [fmt] <len bytes> FF BB
 *   type 01 image: one format byte (resolution << 4 | 1) after the length, then len JPEG bytes
 *   type 02 camera info text, 03 firmware version, 05 SDK version, 06 `streamoff`,
 *   07 / 08 greeting text; other types are skipped by their length.
 * legacy (before March 2023):      55 AA <format> <u32 LE len> <len JPEG bytes> 55 BB
 *
 * Plain text printed between packets becomes `log` events. Every image is walked as
 * a JPEG while it arrives, so a frame cut short (stream stopped, bytes lost) is
 * dropped as soon as it stops being a JPEG, and the search restarts at the byte
 * after its first header byte: the next packet is never lost with it.
 */

import { TextFrameDecoder } from '../common/text-frame-decoder.js';
import { JpegWalker } from '../jpeg/walker.js';
import type { DeviceEvent } from '../types.js';

/** Reply types of the current framing. */
export const MEGA_REPLY_TYPES = {
  image: 0x01,
  cameraInfo: 0x02,
  firmwareVersion: 0x03,
  sdkVersion: 0x05,
  streamOff: 0x06,
  greeting: 0x07,
  started: 0x08,
} as const;

/** Longest non-image packet accepted: these are a few lines of text on real devices. */
export const MEGA_MAX_TEXT_BYTES = 64 * 1024;

const CURRENT = 0xff;
const LEGACY = 0x55;
const HEAD2 = 0xaa;
const TAIL2 = 0xbb;
const CURRENT_TRAILER = Buffer.of(CURRENT, TAIL2);
const LEGACY_TRAILER = Buffer.of(LEGACY, TAIL2);

/** What the packet being read carries. */
type Body = 'jpeg' | 'text' | 'skip';

/** Parses `Key:Value` lines of a camera-info reply into an object (numbers as numbers). */
export function parseMegaInfo(text: string): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    info[key] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return info;
}

function printable(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[^\x20-\x7e\r\n\t]/g, '?')
    .trim();
}

function hexBytes(bytes: Buffer): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class ArducamMegaDecoder extends TextFrameDecoder {
  readonly protocol = 'arducam-mega' as const;
  private readonly walker = new JpegWalker();
  private family = CURRENT;
  private type = 0;
  private body: Body = 'skip';
  private payloadStart = 0;
  private payloadLength = 0;
  /** End of the JPEG inside the payload once the walker found its EOI, else -1. */
  private jpegEnd = -1;

  protected readonly frameNeedles = [Buffer.of(CURRENT, HEAD2), Buffer.of(LEGACY, HEAD2)];

  protected frameAt(pos: number): 'yes' | 'no' | 'maybe' {
    if (pos + 1 >= this.store.length) return 'maybe';
    return this.store.at(pos + 1) === HEAD2 ? 'yes' : 'no';
  }

  protected startFrame(pos: number): void {
    this.family = this.store.at(pos);
    this.beginFrame(pos);
    this.type = -1;
  }

  /** Reads the packet at offset 0. Returns true when it was consumed or rejected, false to wait for bytes. */
  protected readFrame(events: DeviceEvent[], eof: boolean): boolean {
    if (this.type < 0 && !this.readHeader()) {
      if (this.type === -2) return true;
      if (!eof) return false;
      this.fail(false, false);
      return true;
    }
    const store = this.store;
    const payloadEnd = this.payloadStart + this.payloadLength;
    if (this.body === 'jpeg' && this.jpegEnd < 0) {
      // Reject a false header as soon as its payload is not a JPEG.
      if (store.length >= this.payloadStart + 2) {
        if (store.at(this.payloadStart) !== 0xff || store.at(this.payloadStart + 1) !== 0xd8) {
          this.fail(false, false);
          return true;
        }
      }
      const stop = Math.min(store.length, payloadEnd);
      if (this.pos < stop) {
        const base = store.base;
        const r = this.walker.feed(store.buffer, base + this.pos, base + stop);
        if (r.kind === 'invalid') {
          this.fail(true, false);
          return true;
        }
        if (r.kind === 'done') {
          this.jpegEnd = r.end - base;
          this.pos = payloadEnd;
        } else {
          this.pos = stop;
        }
      }
      if (this.jpegEnd < 0 && this.pos >= payloadEnd) {
        // The length ran out before the JPEG did: the length lied or bytes were lost.
        this.fail(true, false);
        return true;
      }
      if (this.jpegEnd < 0) {
        if (!eof) return false;
        this.fail(true, false);
        return true;
      }
    }
    // Non-image packets may end one byte late: the SDK-version reply announces 6 bytes and sends 7.
    const trailer =
      this.body === 'jpeg'
        ? this.imageTrailer(this.jpegEnd, payloadEnd, eof)
        : this.findTrailer(payloadEnd, true, eof);
    if (trailer === -1) return false;
    if (trailer === -2) {
      this.fail(true, false);
      return true;
    }
    this.deliver(events, trailer);
    this.text.boundary();
    store.discard(trailer + 2);
    this.pos = 0;
    this.framing = false;
    return true;
  }

  /**
   * The trailer of an image packet, at the claimed end `at` with only FIFO padding between the
   * EOI (`from`) and it: -1 to wait for bytes, -2 when it is not there. A trailer in the padding
   * means the length does not fit the image — bytes lost inside it (the EOI came early), or a
   * length that lies and runs over the next packets: the packet is dropped either way, and the
   * rescan finds those next packets.
   */
  private imageTrailer(from: number, at: number, eof: boolean): number {
    const store = this.store;
    const end = Math.min(store.length, at + 2);
    const found = store.buffer
      .subarray(store.base + from, store.base + end)
      .indexOf(this.family === CURRENT ? CURRENT_TRAILER : LEGACY_TRAILER);
    if (found >= 0) return from + found === at ? at : -2;
    if (store.length < at + 2) return eof ? -2 : -1;
    return -2;
  }

  /** Offset of the trailer: -1 to wait for bytes, -2 when it is missing. */
  private findTrailer(at: number, slack: boolean, eof: boolean): number {
    const store = this.store;
    const tail = this.family === CURRENT ? CURRENT : LEGACY;
    for (let i = at; i <= at + (slack ? 1 : 0); i++) {
      if (store.length < i + 2) return eof ? -2 : -1;
      if (store.at(i) === tail && store.at(i + 1) === TAIL2) return i;
    }
    return -2;
  }

  /**
   * Parses the header at offset 0. Returns true when the payload layout is known;
   * false with type -1 to wait for bytes, or with type -2 when the header was rejected.
   */
  private readHeader(): boolean {
    const store = this.store;
    if (store.length < 7) return false;
    const kind = store.at(2);
    const length = (store.at(3) | (store.at(4) << 8) | (store.at(5) << 16) | (store.at(6) << 24)) >>> 0;
    let body: Body;
    let payloadStart = 7;
    if (this.family === LEGACY) {
      // The format byte is the pixel format: 1 JPEG, 2 RGB565, 3 YUV (raw images are skipped).
      if (kind === 1) body = 'jpeg';
      else if (kind === 2 || kind === 3) body = 'skip';
      else return this.reject(false);
    } else if (kind === MEGA_REPLY_TYPES.image) {
      body = 'jpeg';
      payloadStart = 8;
      if (store.length < 8) return false;
    } else {
      body = kind === 0x00 ? 'skip' : 'text';
      if (kind === 0x00 || kind > 0x7f) return this.reject(false);
    }
    if (length > this.maxFrameBytes) return this.reject(true);
    if (body !== 'jpeg' && length > MEGA_MAX_TEXT_BYTES && this.family === CURRENT) return this.reject(false);
    if (body === 'jpeg' && length < 4) return this.reject(false);
    this.type = kind;
    this.body = body;
    this.payloadStart = payloadStart;
    this.payloadLength = length;
    this.jpegEnd = -1;
    this.pos = payloadStart;
    this.walker.reset();
    return true;
  }

  private reject(oversized: boolean): boolean {
    this.fail(false, oversized);
    this.type = -2;
    return false;
  }

  private deliver(events: DeviceEvent[], trailer: number): void {
    const store = this.store;
    const start = this.payloadStart;
    if (this.body === 'jpeg') {
      events.push({ type: 'frame', jpeg: store.copy(start, this.jpegEnd) });
      this.stats.frames++;
      // Bytes between the EOI and the trailer (FIFO padding) carry nothing.
      this.stats.bytesSkipped += trailer - this.jpegEnd;
      return;
    }
    const payload = store.copy(start, trailer);
    if (this.family === LEGACY) {
      this.stats.bytesSkipped += trailer + 2;
      return;
    }
    switch (this.type) {
      case MEGA_REPLY_TYPES.cameraInfo: {
        const raw = printable(payload);
        events.push({ type: 'info', info: parseMegaInfo(raw), raw });
        return;
      }
      case MEGA_REPLY_TYPES.firmwareVersion:
        events.push({ type: 'reply', text: `firmware version ${hexBytes(payload.subarray(0, 4))}` });
        return;
      case MEGA_REPLY_TYPES.sdkVersion:
        events.push({ type: 'reply', text: `sdk version ${hexBytes(payload.subarray(0, 5))}` });
        return;
      case MEGA_REPLY_TYPES.streamOff:
        events.push({ type: 'reply', text: printable(payload) });
        return;
      case MEGA_REPLY_TYPES.greeting:
      case MEGA_REPLY_TYPES.started:
        events.push({ type: 'log', text: printable(payload) });
        return;
      default:
        this.stats.bytesSkipped += trailer + 2;
    }
  }

  /** The packet at offset 0 is not one: count it, skip its first byte and rescan what followed. */
  private fail(truncated: boolean, oversized: boolean): void {
    this.stats.resyncs++;
    if (truncated) this.stats.truncated++;
    if (oversized) this.stats.oversized++;
    this.stats.bytesSkipped++;
    this.store.discard(1);
    this.pos = 0;
    this.framing = false;
    this.text.taint();
  }
}

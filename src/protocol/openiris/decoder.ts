/**
 * EyeTrackVR OpenIris wired (USB serial) streaming, `SerialManager::send_frame`:
 *
 *   FF A0  FF A1  <u16 LE len>  <len JPEG bytes>
 *
 * No trailer and no checksum: a payload is accepted only when it is exactly one
 * JPEG, walked segment by segment while it arrives (its EOI right at the claimed
 * length); otherwise it is dropped as soon as that shows, and the search restarts
 * at the byte after the header's first byte. Text between frames (command
 * replies, ESP32 logs) becomes `log` events. The length is 16 bits, so frames of
 * 64 KiB or more cannot be framed by this firmware and are lost.
 */
import { TextFrameDecoder } from '../common/text-frame-decoder.js';
import { JpegWalker } from '../jpeg/walker.js';
import type { DeviceEvent } from '../types.js';

/** The four bytes that open every frame. */
export const OPENIRIS_HEADER: readonly number[] = [0xff, 0xa0, 0xff, 0xa1];
const HEADER_BYTES = 6;

/**
 * A command for the OpenIris firmware: one JSON document, `{"command":…,"data":…}`
 * (names: `ping`, `set_wifi`, `set_mdns`, `set_fps`, `toggle_stream`, `save_config`).
 */
export function openIrisCommand(command: string, data: Record<string, unknown> = {}): Uint8Array {
  if (!/^[a-z_]+$/.test(command)) throw new TypeError(`OpenIris command name "${command}" is not [a-z_]+`);
  return Buffer.from(JSON.stringify({ command, data }), 'utf8');
}

export class OpenIrisDecoder extends TextFrameDecoder {
  readonly protocol = 'openiris' as const;
  protected readonly frameNeedles = [Buffer.from(OPENIRIS_HEADER)];

  private readonly walker = new JpegWalker();
  /** Store offset up to which the payload of the frame at offset 0 has been walked. */
  private walked = HEADER_BYTES;

  protected startFrame(pos: number): void {
    this.beginFrame(pos);
    this.walked = HEADER_BYTES;
    this.walker.reset();
  }

  /** Whether the header starts at `pos`: 'maybe' when the bytes so far match but are too few. */
  protected frameAt(pos: number): 'yes' | 'no' | 'maybe' {
    const store = this.store;
    for (let i = 0; i < OPENIRIS_HEADER.length; i++) {
      if (pos + i >= store.length) return 'maybe';
      if (store.at(pos + i) !== OPENIRIS_HEADER[i]) return 'no';
    }
    return 'yes';
  }

  /**
   * Reads the frame at offset 0, walking its payload as a JPEG while it arrives. Returns true when
   * it was consumed or rejected, false to wait for bytes. The payload must be exactly one JPEG: it
   * is dropped the moment it stops being one, and when its EOI is not at the claimed length.
   */
  protected readFrame(events: DeviceEvent[], eof: boolean): boolean {
    const store = this.store;
    if (store.length < HEADER_BYTES) {
      if (eof) this.fail(false, false);
      return eof;
    }
    const length = store.at(4) | (store.at(5) << 8);
    if (length > this.maxFrameBytes) {
      this.fail(false, true);
      return true;
    }
    if (length < 4) {
      this.fail(false, false);
      return true;
    }
    const end = HEADER_BYTES + length;
    const stop = Math.min(store.length, end);
    if (this.walked < stop) {
      const base = store.base;
      const r = this.walker.feed(store.buffer, base + this.walked, base + stop);
      if (r.kind === 'invalid') {
        // Not even `FF D8 FF`: a false header, not a frame cut short.
        this.fail(r.at - base >= HEADER_BYTES + 3, false);
        return true;
      }
      if (r.kind === 'done') {
        if (r.end - base !== end) {
          // The JPEG ends before the claimed length: the length lied (or bytes were lost).
          this.fail(true, false);
          return true;
        }
        events.push({ type: 'frame', jpeg: store.copy(HEADER_BYTES, end) });
        this.stats.frames++;
        this.text.boundary();
        store.discard(end);
        this.framing = false;
        return true;
      }
      this.walked = stop;
    }
    if (this.walked >= end || eof) {
      // The length ran out before the JPEG did, or the stream ended inside it.
      this.fail(true, false);
      return true;
    }
    return false;
  }

  /** The frame at offset 0 is broken: count it, skip its first byte and rescan what followed. */
  private fail(truncated: boolean, oversized: boolean): void {
    this.stats.resyncs++;
    if (truncated) this.stats.truncated++;
    if (oversized) this.stats.oversized++;
    this.stats.bytesSkipped++;
    this.store.discard(1);
    this.framing = false;
    this.text.taint();
  }
}

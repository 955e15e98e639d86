/**
 * EyeTrackVR OpenIris wired (USB serial) streaming, `SerialManager::send_frame`:
 *
 *   FF A0  FF A1  <u16 LE len>  <len JPEG bytes>
 *
 * No trailer and no checksum: a payload is accepted only when it starts with
 * `FF D8` and ends with `FF D9`; otherwise it is dropped and the search restarts
 * at the byte after the header's first byte. Text between frames (command
 * replies, ESP32 logs) becomes `log` events. The length is 16 bits, so frames of
 * 64 KiB or more cannot be framed by this firmware and are lost.
 */
import { TextFrameDecoder } from '../common/text-frame-decoder.js';
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
  protected readText(events: DeviceEvent[], eof: boolean): void {
    const store = this.store;
    const len = store.length;
    let pos = this.pos;
    while (pos < len) {
      const b = store.at(pos);
      if (b === 0xff) {
        const match = this.headerAt(pos);
        if (match === 'yes') {
          this.beginFrame(pos);
          return;
        }
        if (match === 'maybe' && !eof) break;
      }
      pos++;
      this.textByte(b, events);
    }
    this.consumeText(pos);
  }

  /** Whether the header starts at `pos`: 'maybe' when the bytes so far match but are too few. */
  private headerAt(pos: number): 'yes' | 'no' | 'maybe' {
    const store = this.store;
    for (let i = 0; i < OPENIRIS_HEADER.length; i++) {
      if (pos + i >= store.length) return 'maybe';
      if (store.at(pos + i) !== OPENIRIS_HEADER[i]) return 'no';
    }
    return 'yes';
  }

  /** Reads the frame at offset 0. Returns true when it was consumed or rejected, false to wait for bytes. */
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
    // Reject a false header as soon as its payload is not a JPEG.
    if (store.length >= HEADER_BYTES + 2 && (store.at(6) !== 0xff || store.at(7) !== 0xd8)) {
      this.fail(false, false);
      return true;
    }
    const end = HEADER_BYTES + length;
    if (store.length < end) {
      if (eof) this.fail(true, false);
      return eof;
    }
    if (store.at(end - 2) !== 0xff || store.at(end - 1) !== 0xd9) {
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

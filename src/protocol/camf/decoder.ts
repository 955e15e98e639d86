/**
 * The two CAMF decoders: device → host (`CamfDecoder`, protocol `camf`) and host → device
 * (`CamfCommandDecoder`, for firmware and device simulators). Framing rules live in framer.ts.
 */
import { JpegWalker } from '../jpeg/walker.js';
import type { Decoder, DeviceEvent } from '../types.js';
import { CamfType } from './frame.js';
import { type CamfFrame, CamfFramer } from './framer.js';

const utf8 = new TextDecoder('utf-8');

/**
 * Largest log, info or reply payload accepted (types 02, 03, 04): a longer header is refused as
 * oversized at once, like an image over `maxFrameBytes`. Device text is a line or a small JSON
 * object; without this bound each text frame could make the decoder hold `maxFrameBytes` (4 MiB)
 * and a lying text length could hold the video for as long.
 */
export const CAMF_MAX_TEXT_BYTES = 64 * 1024;

/**
 * Device → host CAMF decoder (protocol `camf`): type 01 → `frame` (with `seq` and
 * `deviceTimeUs`), 02 → `log`, 03 → `info`, 04 → `reply`; type 10 (our own commands,
 * echoed back) and unknown types are skipped by length.
 */
export class CamfDecoder extends CamfFramer<DeviceEvent> implements Decoder {
  readonly protocol = 'camf' as const;
  readonly #walker = new JpegWalker();

  /** Where the JPEG in a type 01 payload ends (its EOI), or -1 when the payload does not walk as one. */
  #jpegEnd(payload: Buffer): number {
    const walker = this.#walker;
    walker.reset();
    const r = walker.feed(payload, 0, payload.length);
    return r.kind === 'done' ? r.end : -1;
  }

  protected override tracksSeq(type: number): boolean {
    return type !== CamfType.Command;
  }

  protected override maxPayloadBytes(type: number): number {
    const text = type === CamfType.Log || type === CamfType.Info || type === CamfType.Reply;
    return text ? Math.min(CAMF_MAX_TEXT_BYTES, this.maxFrameBytes) : this.maxFrameBytes;
  }

  protected onRestart(out: DeviceEvent[]): void {
    out.push({ type: 'restart' });
  }

  protected onFrame(frame: CamfFrame, out: DeviceEvent[]): void {
    switch (frame.type) {
      case CamfType.Jpeg: {
        // CRC-checked, and walked like every other protocol's frames: a device that frames a broken
        // image (a camera driver error, a truncated frame buffer) must not have it served.
        const payload = frame.payload;
        const end = this.#jpegEnd(payload);
        if (end < 0) {
          this.badPayloads++;
          out.push({
            type: 'log',
            text: `camf: type 01 payload of ${payload.length} bytes is not a whole JPEG, dropped`,
          });
          return;
        }
        // Bytes after the EOI (frame buffer padding) are not part of the image.
        if (end < payload.length) this.stats.bytesSkipped += payload.length - end;
        this.stats.frames++;
        const jpeg = end < payload.length ? payload.subarray(0, end) : payload;
        out.push({ type: 'frame', jpeg, seq: frame.seq, deviceTimeUs: frame.timestampUs });
        return;
      }
      case CamfType.Log:
        out.push({ type: 'log', text: utf8.decode(frame.payload) });
        return;
      case CamfType.Info: {
        const raw = utf8.decode(frame.payload);
        const info = parseInfo(raw);
        if (info) {
          out.push({ type: 'info', info, raw });
        } else {
          this.badPayloads++;
          out.push({ type: 'log', text: `camf: device info is not a JSON object: ${raw.slice(0, 120)}` });
        }
        return;
      }
      case CamfType.Reply:
        out.push({ type: 'reply', text: utf8.decode(frame.payload) });
        return;
      case CamfType.Command:
        return;
      default:
        this.unknownTypes++;
    }
  }
}

function parseInfo(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A command a host sent (CAMF type 10), as a device sees it. */
export interface CamfCommand {
  type: 'command';
  /** The text as sent: `name` or `name=value`. */
  text: string;
  name: string;
  value?: string;
  seq: number;
  timestampUs: number;
}

/**
 * Host → device decoder, for firmware and device simulators: type 10 → `command`; every
 * other type (a device hearing itself) is skipped. Same framing rules and counters as
 * `CamfDecoder`; a seq going backwards (host restarted) yields `{ type: 'restart' }`.
 */
export class CamfCommandDecoder extends CamfFramer<CamfCommand | { type: 'restart' }> {
  protected override tracksSeq(type: number): boolean {
    return type === CamfType.Command;
  }

  protected onRestart(out: (CamfCommand | { type: 'restart' })[]): void {
    out.push({ type: 'restart' });
  }

  protected onFrame(frame: CamfFrame, out: (CamfCommand | { type: 'restart' })[]): void {
    if (frame.type !== CamfType.Command) {
      this.unknownTypes++;
      return;
    }
    const text = utf8.decode(frame.payload);
    const eq = text.indexOf('=');
    const cmd: CamfCommand = {
      type: 'command',
      text,
      name: eq < 0 ? text : text.slice(0, eq),
      seq: frame.seq,
      timestampUs: frame.timestampUs,
    };
    if (eq >= 0) cmd.value = text.slice(eq + 1);
    out.push(cmd);
  }
}

/**
 * The two CAMF decoders: device → host (`CamfDecoder`, protocol `camf`) and host → device
 * (`CamfCommandDecoder`, for firmware and device simulators). Framing rules live in framer.ts.
 */
import type { Decoder, DeviceEvent } from '../types.js';
import { CamfType } from './frame.js';
import { type CamfFrame, CamfFramer } from './framer.js';

const utf8 = new TextDecoder('utf-8');

function isJpegStart(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/**
 * Device → host CAMF decoder (protocol `camf`): type 01 → `frame` (with `seq` and
 * `deviceTimeUs`), 02 → `log`, 03 → `info`, 04 → `reply`; type 10 (our own commands,
 * echoed back) and unknown types are skipped by length.
 */
export class CamfDecoder extends CamfFramer<DeviceEvent> implements Decoder {
  readonly protocol = 'camf' as const;

  protected override tracksSeq(type: number): boolean {
    return type !== CamfType.Command;
  }

  protected onRestart(out: DeviceEvent[]): void {
    out.push({ type: 'restart' });
  }

  protected onFrame(frame: CamfFrame, out: DeviceEvent[]): void {
    switch (frame.type) {
      case CamfType.Jpeg:
        if (!isJpegStart(frame.payload)) {
          this.badPayloads++;
          out.push({
            type: 'log',
            text: `camf: type 01 payload of ${frame.payload.length} bytes is not a JPEG, dropped`,
          });
          return;
        }
        this.stats.frames++;
        out.push({ type: 'frame', jpeg: frame.payload, seq: frame.seq, deviceTimeUs: frame.timestampUs });
        return;
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

/**
 * A camera's decoder over its lifetime: the configured or auto-detecting decoder,
 * a fresh one each time a looping replay starts over (so its seq going back is not a
 * device restart), and counters summed over all of them.
 */
import { type CameraEvent, createDecoder } from '../protocol/detect.js';
import type { ProtocolName, ProtocolOption } from '../protocol/registry.js';
import { type Decoder, type DecoderStats, emptyStats } from '../protocol/types.js';

export class Decoding {
  readonly #protocol: ProtocolOption;
  readonly #maxFrameBytes: number;
  #decoder: Decoder<CameraEvent>;
  /** Counters of decoders replaced so far. */
  readonly #past: DecoderStats = emptyStats();
  #rewinds = 0;
  #switches = 0;
  #detected: ProtocolName | null;

  constructor(protocol: ProtocolOption, maxFrameBytes: number) {
    this.#protocol = protocol;
    this.#maxFrameBytes = maxFrameBytes;
    this.#decoder = createDecoder(protocol, { maxFrameBytes });
    this.#detected = protocol === 'auto' ? null : protocol;
  }

  /** The protocol the bytes turned out to be (null while `auto` is still deciding). */
  get detected(): ProtocolName | null {
    return this.#detected;
  }

  /** Times auto-detection replaced its first guess with a framed protocol it found later. */
  get switches(): number {
    return this.#switches;
  }

  /** Times the source started over (a looping replay). */
  get rewinds(): number {
    return this.#rewinds;
  }

  push(chunk: Uint8Array): CameraEvent[] {
    return this.#noteDetection(this.#decoder.push(chunk));
  }

  /** The stream broke off (port closed): a half-received frame is counted as truncated and forgotten. */
  end(): CameraEvent[] {
    return this.#noteDetection(this.#decoder.end());
  }

  /** The source started over: finish the old decoder, start a fresh one for the known protocol. */
  rewind(): CameraEvent[] {
    const events = this.end();
    this.#rewinds++;
    const old = this.#decoder.stats;
    for (const key of Object.keys(this.#past) as (keyof DecoderStats)[]) this.#past[key] += old[key];
    this.#decoder = createDecoder(this.#detected ?? this.#protocol, { maxFrameBytes: this.#maxFrameBytes });
    return events;
  }

  /** Counters since the camera was created. */
  stats(): DecoderStats {
    const total = { ...this.#past };
    const now = this.#decoder.stats;
    for (const key of Object.keys(total) as (keyof DecoderStats)[]) total[key] += now[key];
    return total;
  }

  #noteDetection(events: CameraEvent[]): CameraEvent[] {
    for (const e of events) {
      if (e.type !== 'protocol') continue;
      this.#detected = e.protocol;
      if (e.previous) this.#switches++;
    }
    return events;
  }
}

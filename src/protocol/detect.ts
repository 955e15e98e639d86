/**
 * Protocol auto-detection (`--protocol auto`) and the decoder factory.
 *
 * The auto decoder holds the first bytes (bounded) and looks, position by position from the
 * start, for the first byte that begins a *validated* signature:
 *
 *   camf          `CAMF` 01 … with a correct header CRC and a length ≤ maxFrameBytes
 *   arducam       `ACK CMD` or `ACK IMG END` (ArduCAM Mini sketch text)
 *   openiris      `FF A0 FF A1` <u16 len> followed by `FF D8 FF`
 *   arducam-mega  `FF AA` <known type> <u32 len> then `FF D8 FF` (image) or `FF BB` after the
 *                 text; legacy `55 AA` <fmt> <u32 len> `FF D8 FF`
 *   jpeg          `FF D8 FF` starting an image the JPEG walker follows to its EOI, followed by
 *                 text, zero padding or the next `FF D8 FF` — not by a container header (there,
 *                 `CAMF` 01 alone counts) nor by other binary bytes (an embedded thumbnail)
 *
 * A candidate that needs more bytes to be judged stops the scan until they arrive, so a later
 * signature never wins over an earlier undecided one. The last rule catches a device joined
 * mid-stream: the first whole JPEG may be the payload of a CAMF / OpenIris / Mega / ArduCAM
 * frame, whose next header follows within a few bytes. Once decided, it emits
 * `{ type: 'protocol' }` once, hands every held byte (from the first) to the concrete decoder
 * and delegates to it from then on.
 */
import { ArducamDecoder } from './arducam.js';
import { ArducamMegaDecoder } from './arducam-mega.js';
import { CAMF_HEADER_BYTES, CAMF_MAGIC, CAMF_VERSION, CamfDecoder } from './camf.js';
import { crc32 } from './crc32.js';
import { JpegStreamDecoder } from './jpeg.js';
import { JpegWalker } from './jpeg-walker.js';
import { OpenIrisDecoder } from './openiris.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
  PROTOCOL_OPTIONS,
  type ProtocolName,
  type ProtocolOption,
} from './types.js';

/** Bytes after a first whole JPEG searched for a container's next header. */
export const DETECT_LOOKAHEAD_BYTES = 64;
/** Arducam Mega packet types (current framing) and the longest text packet it sends. */
const MEGA_TYPES = new Set([0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08]);
const MEGA_MAX_TEXT = 64 * 1024;

const ACK_CMD = Buffer.from('ACK CMD', 'latin1');
const ACK_IMG = Buffer.from('ACK IMG END', 'latin1');
const JPEG_SOI = [0xff, 0xd8, 0xff] as const;
const CAMF_MAGIC_V1 = Buffer.from([...CAMF_MAGIC, CAMF_VERSION]);

/** A decoder for one concrete protocol. */
export function createProtocolDecoder(protocol: ProtocolName, options: DecoderOptions = {}): Decoder {
  switch (protocol) {
    case 'camf':
      return new CamfDecoder(options);
    case 'jpeg':
      return new JpegStreamDecoder(options);
    case 'arducam':
      return new ArducamDecoder(options);
    case 'arducam-mega':
      return new ArducamMegaDecoder(options);
    case 'openiris':
      return new OpenIrisDecoder(options);
  }
}

/** A decoder for `protocol` (`auto`: an AutoDecoder). Throws a TypeError naming the protocols for anything else. */
export function createDecoder(protocol: ProtocolOption, options: DecoderOptions = {}): Decoder {
  if (protocol === 'auto') return new AutoDecoder(options);
  if (!PROTOCOL_OPTIONS.includes(protocol)) {
    throw new TypeError(
      `unknown protocol "${String(protocol)}" (expected one of ${PROTOCOL_OPTIONS.join(', ')})`,
    );
  }
  return createProtocolDecoder(protocol, options);
}

export interface AutoDecoderOptions extends DecoderOptions {
  /**
   * Most bytes held while undecided. Default `min(maxFrameBytes, 1 MiB) + 64 KiB`. When full,
   * a JPEG being followed wins; otherwise the oldest bytes are dropped (counted as skipped).
   */
  detectWindowBytes?: number;
}

type Verdict = ProtocolName | 'no' | 'need';

interface JpegCandidate {
  start: number;
  walker: JpegWalker;
  /** Buffer offset fed to the walker so far. */
  walked: number;
  /** Offset just past its EOI, or -1 while walking. */
  end: number;
}

/** `auto`: holds bytes until a signature decides the protocol, then delegates to that decoder. */
export class AutoDecoder implements Decoder {
  readonly stats: DecoderStats = emptyStats();
  readonly #options: DecoderOptions;
  readonly #maxFrameBytes: number;
  readonly #window: number;
  #inner: Decoder | undefined;
  #buf: Buffer;
  #len = 0;
  /** Every position before this one is known not to start a signature. */
  #scanPos = 0;
  #jpeg: JpegCandidate | undefined;
  /** Bytes dropped while undecided (never seen by the inner decoder). */
  #dropped = 0;

  constructor(options: AutoDecoderOptions = {}) {
    const { maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, detectWindowBytes } = options;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 4) {
      throw new TypeError(`"maxFrameBytes" must be a whole number ≥ 4, got ${maxFrameBytes}`);
    }
    const window = detectWindowBytes ?? Math.min(maxFrameBytes, 1024 * 1024) + 64 * 1024;
    if (!Number.isInteger(window) || window < 256) {
      throw new TypeError(`"detectWindowBytes" must be a whole number ≥ 256, got ${detectWindowBytes}`);
    }
    this.#options = { maxFrameBytes };
    this.#maxFrameBytes = maxFrameBytes;
    this.#window = window;
    this.#buf = Buffer.allocUnsafe(Math.min(window, 16 * 1024));
  }

  /** `auto` until detected, then the detected protocol. */
  get protocol(): ProtocolOption {
    return this.#inner ? (this.#inner.protocol as ProtocolName) : 'auto';
  }

  /** The concrete decoder, once detected. */
  get inner(): Decoder | undefined {
    return this.#inner;
  }

  /** Bytes held: the detection buffer, then whatever the concrete decoder holds. */
  get bufferedBytes(): number {
    if (!this.#inner) return this.#len;
    const b = (this.#inner as { bufferedBytes?: unknown }).bufferedBytes;
    return typeof b === 'number' ? b : 0;
  }

  push(chunk: Uint8Array): DeviceEvent[] {
    if (this.#inner) {
      const events = this.#inner.push(chunk);
      this.#syncStats();
      return events;
    }
    this.stats.bytesIn += chunk.length;
    let pos = 0;
    while (pos < chunk.length) {
      const take = Math.min(chunk.length - pos, this.#window - this.#len);
      this.#append(chunk, pos, pos + take);
      pos += take;
      let found = this.#detect(false);
      if (!found && this.#len >= this.#window) found = this.#overflow();
      if (found) {
        const events = this.#handOver(found);
        if (pos < chunk.length) events.push(...this.#inner!.push(chunk.subarray(pos)));
        this.#syncStats();
        return events;
      }
    }
    return [];
  }

  end(): DeviceEvent[] {
    if (!this.#inner) {
      const found = this.#detect(true);
      if (!found) {
        this.#dropped += this.#len;
        this.stats.bytesSkipped = this.#dropped;
        this.#len = 0;
        this.#scanPos = 0;
        this.#jpeg = undefined;
        return [];
      }
      const events = this.#handOver(found);
      events.push(...this.#inner!.end());
      this.#syncStats();
      return events;
    }
    const events = this.#inner.end();
    this.#syncStats();
    return events;
  }

  #append(chunk: Uint8Array, from: number, to: number): void {
    const need = this.#len + (to - from);
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#window, Math.max(need, this.#buf.length * 2)));
      this.#buf.copy(grown, 0, 0, this.#len);
      this.#buf = grown;
    }
    this.#buf.set(chunk.subarray(from, to), this.#len);
    this.#len = need;
  }

  /** The window is full and nothing is decided. */
  #overflow(): ProtocolName | undefined {
    // A JPEG that has been followed this far is the best explanation of the bytes.
    if (this.#jpeg && this.#jpeg.start === this.#scanPos) return 'jpeg';
    // Drop what is known not to matter (at least one byte, giving up a pending candidate).
    const drop = Math.max(1, this.#scanPos);
    this.#buf.copy(this.#buf, 0, drop, this.#len);
    this.#len -= drop;
    this.#dropped += drop;
    this.stats.bytesSkipped = this.#dropped;
    this.#scanPos = Math.max(0, this.#scanPos - drop);
    this.#jpeg = undefined;
    return this.#detect(false);
  }

  #handOver(protocol: ProtocolName): DeviceEvent[] {
    const inner = createProtocolDecoder(protocol, this.#options);
    this.#inner = inner;
    const held = this.#buf.subarray(0, this.#len);
    const events: DeviceEvent[] = [{ type: 'protocol', protocol }];
    events.push(...inner.push(held));
    this.#buf = Buffer.alloc(0);
    this.#len = 0;
    this.#jpeg = undefined;
    return events;
  }

  #syncStats(): void {
    const inner = this.#inner!.stats;
    Object.assign(this.stats, inner);
    this.stats.bytesIn = inner.bytesIn + this.#dropped;
    this.stats.bytesSkipped = inner.bytesSkipped + this.#dropped;
  }

  #detect(final: boolean): ProtocolName | undefined {
    const b = this.#buf;
    const len = this.#len;
    for (let i = this.#scanPos; i < len; i++) {
      const c = b[i];
      if (c !== 0x43 && c !== 0x41 && c !== 0x55 && c !== 0xff) continue;
      const v = this.#signatureAt(i, true, final);
      if (v === 'no') continue;
      this.#scanPos = i;
      return v === 'need' ? undefined : v;
    }
    this.#scanPos = len;
    return undefined;
  }

  /** Does a signature start at `i`? `need`: cannot tell yet. */
  #signatureAt(i: number, jpegAllowed: boolean, final: boolean): Verdict {
    const b = this.#buf;
    const len = this.#len;
    const need: Verdict = final ? 'no' : 'need';
    switch (b[i]) {
      case 0x43: // C
        return this.#camfAt(i, need);
      case 0x41: {
        // A
        const cmd = prefix(b, i, len, ACK_CMD);
        if (cmd === 'yes') return 'arducam';
        const img = prefix(b, i, len, ACK_IMG);
        if (img === 'yes') return 'arducam';
        return cmd === 'need' || img === 'need' ? need : 'no';
      }
      case 0x55:
        return this.#megaLegacyAt(i, need);
      case 0xff: {
        if (i + 1 >= len) return need;
        const m = b[i + 1];
        if (m === 0xa0) return this.#openIrisAt(i, need);
        if (m === 0xaa) return this.#megaAt(i, need);
        if (m === 0xd8 && jpegAllowed) return this.#jpegAt(i, final);
        return 'no';
      }
      default:
        return 'no';
    }
  }

  #camfAt(i: number, need: Verdict): Verdict {
    const b = this.#buf;
    const p = prefix(b, i, this.#len, CAMF_MAGIC);
    if (p !== 'yes') return p === 'need' ? need : 'no';
    if (this.#len - i < CAMF_HEADER_BYTES) return need;
    if (b[i + 4] !== CAMF_VERSION) return 'no';
    if (crc32(b, i, i + 24) !== b.readUInt32LE(i + 24)) return 'no';
    return b.readUInt32LE(i + 20) <= this.#maxFrameBytes ? 'camf' : 'no';
  }

  #openIrisAt(i: number, need: Verdict): Verdict {
    // FF A0 FF A1 <u16 len> FF D8 FF
    const b = this.#buf;
    if (this.#len - i < 9) return prefixBytes(b, i, this.#len, [0xff, 0xa0, 0xff, 0xa1]) ? need : 'no';
    if (b[i + 2] !== 0xff || b[i + 3] !== 0xa1) return 'no';
    return b.readUInt16LE(i + 4) >= 4 && isSoiAt(b, i + 6) ? 'openiris' : 'no';
  }

  #megaAt(i: number, need: Verdict): Verdict {
    // FF AA <type> <u32 len> then [fmt] FF D8 FF (image) or <len text bytes> FF BB
    const b = this.#buf;
    const len = this.#len;
    if (len - i < 3) return need;
    const type = b[i + 2]!;
    if (!MEGA_TYPES.has(type)) return 'no';
    if (len - i < 7) return need;
    const size = b.readUInt32LE(i + 3);
    if (type === 0x01) {
      if (size > this.#maxFrameBytes || size < 4) return 'no';
      if (len - i < 11) return need;
      return isSoiAt(b, i + 8) ? 'arducam-mega' : 'no';
    }
    if (size > MEGA_MAX_TEXT) return 'no';
    const tail = i + 7 + size;
    if (len < tail + 2) return need;
    return b[tail] === 0xff && b[tail + 1] === 0xbb ? 'arducam-mega' : 'no';
  }

  #megaLegacyAt(i: number, need: Verdict): Verdict {
    // 55 AA <fmt> <u32 len> FF D8 FF
    const b = this.#buf;
    const len = this.#len;
    if (len - i < 2) return need;
    if (b[i + 1] !== 0xaa) return 'no';
    if (len - i < 10) return need;
    const size = b.readUInt32LE(i + 3);
    if (size > this.#maxFrameBytes || size < 4) return 'no';
    return isSoiAt(b, i + 7) ? 'arducam-mega' : 'no';
  }

  /** A bare JPEG: walked to its EOI, and no container header right after it. */
  #jpegAt(i: number, final: boolean): Verdict {
    const b = this.#buf;
    const len = this.#len;
    if (len - i < 3) return final ? 'no' : 'need';
    if (b[i + 2] !== 0xff) return 'no';
    let cand = this.#jpeg;
    if (!cand || cand.start !== i) {
      const walker = new JpegWalker();
      cand = { start: i, walker, walked: i, end: -1 };
      this.#jpeg = cand;
    }
    if (cand.end < 0) {
      if (cand.walked < len) {
        const r = cand.walker.feed(b, cand.walked, len);
        if (r.kind === 'invalid') {
          this.#jpeg = undefined;
          return 'no';
        }
        if (r.kind === 'done') cand.end = r.end;
        else cand.walked = len;
      }
      if (cand.end < 0) return final ? 'no' : 'need';
    }
    // What follows a bare JPEG is text (a debug print), zero padding, the next SOI, or nothing yet.
    // A container's next header there means the JPEG was its payload; anything else means this
    // JPEG was embedded in something (an EXIF thumbnail, a damaged frame's payload).
    const stop = cand.end + DETECT_LOOKAHEAD_BYTES;
    for (let j = cand.end; j < Math.min(stop, len); j++) {
      // Right after a JPEG, a CAMF magic and version are evidence enough, even if that header is damaged.
      const magic = prefix(b, j, len, CAMF_MAGIC_V1);
      if (magic === 'yes') return 'camf';
      if (magic === 'need' && !final) return 'need';
      const v = this.#signatureAt(j, false, final);
      if (v !== 'no') return v;
      const c = b[j]!;
      if ((c >= 0x20 && c <= 0x7e) || c === 0x0d || c === 0x0a || c === 0x09 || c === 0x00) continue;
      if (c !== 0xff) return 'no';
      if (len - j < 3) return final ? 'jpeg' : 'need';
      return b[j + 1] === 0xd8 && b[j + 2] === 0xff ? 'jpeg' : 'no';
    }
    return len < stop && !final ? 'need' : 'jpeg';
  }
}

function prefix(b: Buffer, i: number, len: number, sig: Uint8Array): 'yes' | 'no' | 'need' {
  const n = Math.min(sig.length, len - i);
  for (let k = 0; k < n; k++) if (b[i + k] !== sig[k]) return 'no';
  return n === sig.length ? 'yes' : 'need';
}

function prefixBytes(b: Buffer, i: number, len: number, sig: readonly number[]): boolean {
  const n = Math.min(sig.length, len - i);
  for (let k = 0; k < n; k++) if (b[i + k] !== sig[k]) return false;
  return true;
}

function isSoiAt(b: Buffer, at: number): boolean {
  return b[at] === JPEG_SOI[0] && b[at + 1] === JPEG_SOI[1] && b[at + 2] === JPEG_SOI[2];
}

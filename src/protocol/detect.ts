/**
 * Protocol auto-detection (`--protocol auto`) and the decoder factory.
 *
 * The auto decoder holds the first bytes (bounded) and looks, position by position from the
 * start, for the first byte that begins a *validated* signature of one of the registered
 * protocols (each protocol's folder has its `signature.ts`). A candidate that needs more bytes
 * to be judged stops the scan until they arrive, so a later signature never wins over an
 * earlier undecided one. Once decided, it emits `{ type: 'protocol' }`, hands every held byte
 * (from the first) to the concrete decoder and delegates to it from then on. A decision for a
 * protocol without framing (bare JPEG, ArduCAM) is a guess: behind it a `FramedWatch` looks for
 * a framed protocol's frame, and when one shows up the decoder switches to that protocol (a
 * second `protocol` event, naming the `previous` one).
 */
import { FramedWatch } from './framed-watch.js';
import type { Detection, ScanWindow, Signature } from './module.js';
import {
  PROTOCOL_OPTIONS,
  PROTOCOLS,
  type ProtocolName,
  type ProtocolOption,
  protocolModule,
} from './registry.js';
import {
  checkMaxFrameBytes,
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from './types.js';

/** Auto-detection decided which protocol the device speaks (emitted once by the auto decoder). */
export interface ProtocolEvent {
  type: 'protocol';
  protocol: ProtocolName;
  /** Set when auto-detection switches: the protocol decoded until now (a guess without framing). */
  previous?: ProtocolName;
}

/** What a camera's decoder emits: the device's events, and once the detected protocol. */
export type CameraEvent = DeviceEvent | ProtocolEvent;

/** A decoder for one concrete protocol. */
export function createProtocolDecoder(protocol: ProtocolName, options: DecoderOptions = {}): Decoder {
  return protocolModule(protocol).createDecoder(options);
}

/** A decoder for `protocol` (`auto`: an AutoDecoder). Throws a TypeError naming the protocols for anything else. */
export function createDecoder(protocol: ProtocolOption, options: DecoderOptions = {}): Decoder<CameraEvent> {
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

/** The counters, once (`#syncStats` runs after every push). */
const STAT_KEYS = Object.keys(emptyStats()) as readonly (keyof DecoderStats)[];
const EMPTY = Buffer.alloc(0);

/** A window the decoder updates in place (a literal with getters costs microseconds to build). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Candidate {
  readonly protocol: ProtocolName;
  readonly signature: Signature;
}

/** `auto`: holds bytes until a signature decides the protocol, then delegates to that decoder. */
export class AutoDecoder implements Decoder<CameraEvent> {
  readonly stats: DecoderStats = emptyStats();
  readonly #options: DecoderOptions;
  readonly #window: number;
  readonly #candidates: readonly Candidate[];
  /** Candidates by first byte. */
  readonly #byFirst = new Map<number, Candidate[]>();
  /** The signature being asked right now (what `containerAt` leaves out). */
  #asking: Candidate | undefined;
  /** What the signatures see: brought up to date by `#detect`, the only caller of their `at()`. */
  readonly #scan: Mutable<ScanWindow>;
  #inner: Decoder | undefined;
  #buf: Buffer;
  #len = 0;
  #final = false;
  /** Every position before this one is known not to start a signature. */
  #scanPos = 0;
  /** Bytes dropped while undecided (never seen by the inner decoder). */
  #dropped = 0;
  /** While the inner decoder is a guess without framing: the watch for a framed protocol's frame. */
  #watch: FramedWatch | undefined;
  /** Counters of inner decoders replaced by a switch. */
  readonly #past: DecoderStats = emptyStats();

  constructor(options: AutoDecoderOptions = {}) {
    const maxFrameBytes = checkMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    const { detectWindowBytes } = options;
    const window = detectWindowBytes ?? Math.min(maxFrameBytes, 1024 * 1024) + 64 * 1024;
    if (!Number.isInteger(window) || window < 256) {
      throw new TypeError(`"detectWindowBytes" must be a whole number ≥ 256, got ${detectWindowBytes}`);
    }
    this.#options = { maxFrameBytes };
    this.#window = window;
    // Under 4 KiB: a slice of Node's shared pool, not an allocation of its own (a decoder per
    // stream is cheap; it grows by doubling when the bytes stay undecided).
    this.#buf = Buffer.allocUnsafe(Math.min(window, 2048));
    const candidates: Candidate[] = [];
    for (const p of PROTOCOLS) {
      if (!p.signature) continue;
      const candidate = { protocol: p.name, signature: p.signature() };
      candidates.push(candidate);
      for (const b of candidate.signature.firstBytes) {
        const list = this.#byFirst.get(b) ?? [];
        list.push(candidate);
        this.#byFirst.set(b, list);
      }
    }
    this.#candidates = candidates;
    this.#scan = {
      buf: this.#buf,
      len: 0,
      maxFrameBytes,
      final: false,
      containerAt: (j) => this.#containerAt(j),
    };
  }

  /** `auto` until detected, then the detected protocol. */
  get protocol(): string {
    return this.#inner ? this.#inner.protocol : 'auto';
  }

  /** The concrete decoder, once detected. */
  get inner(): Decoder | undefined {
    return this.#inner;
  }

  /** Bytes held: the detection buffer, then whatever the concrete decoder (and the watch) holds. */
  get bufferedBytes(): number {
    if (!this.#inner) return this.#len;
    const b = (this.#inner as { bufferedBytes?: unknown }).bufferedBytes;
    return (typeof b === 'number' ? b : 0) + (this.#watch?.held ?? 0);
  }

  push(chunk: Uint8Array): CameraEvent[] {
    if (this.#inner) {
      let events: CameraEvent[];
      if (this.#watch) {
        events = [];
        this.#deliver(chunk, false, events);
      } else {
        events = this.#inner.push(chunk);
      }
      this.#syncStats();
      return events;
    }
    this.stats.bytesIn += chunk.length;
    let pos = 0;
    while (pos < chunk.length) {
      const take = Math.min(chunk.length - pos, this.#window - this.#len);
      this.#append(chunk, pos, pos + take);
      pos += take;
      let found = this.#detect();
      if (!found && this.#len >= this.#window) found = this.#overflow();
      if (found) {
        const events = this.#handOver(found);
        if (pos < chunk.length) this.#deliver(chunk.subarray(pos), false, events);
        this.#syncStats();
        return events;
      }
    }
    return [];
  }

  end(): CameraEvent[] {
    if (!this.#inner) {
      this.#final = true;
      const found = this.#detect();
      this.#final = false;
      if (!found) {
        this.#dropped += this.#len;
        this.stats.bytesSkipped = this.#dropped;
        this.#len = 0;
        this.#scanPos = 0;
        this.#resetSignatures();
        return [];
      }
      const events = this.#handOver(found);
      return this.#endInner(events);
    }
    return this.#endInner([]);
  }

  /** The stream ended: the watch decides what it held back, then the inner decoder ends. */
  #endInner(events: CameraEvent[]): CameraEvent[] {
    if (this.#watch) this.#deliver(Buffer.alloc(0), true, events);
    events.push(...this.#inner!.end());
    this.#syncStats();
    return events;
  }

  /** Hand bytes to the inner decoder, through the watch while it runs; switch when it finds a framed protocol. */
  #deliver(chunk: Uint8Array, final: boolean, events: CameraEvent[]): void {
    const watch = this.#watch;
    if (!watch) {
      events.push(...this.#inner!.push(chunk));
      return;
    }
    const seen = watch.push(chunk, final);
    if (seen.before.length > 0) events.push(...this.#inner!.push(seen.before));
    if (!seen.found) return;
    const old = this.#inner!;
    events.push(...old.end());
    for (const key of STAT_KEYS) this.#past[key] += old.stats[key];
    const protocol = seen.found.protocol as ProtocolName;
    this.#inner = createProtocolDecoder(protocol, this.#options);
    this.#watch = undefined;
    events.push({ type: 'protocol', protocol, previous: old.protocol as ProtocolName });
    events.push(...this.#inner.push(seen.found.rest));
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
    for (const c of this.#candidates) {
      const walking = (c.signature as { walking?: number }).walking;
      if (walking !== undefined && walking === this.#scanPos) return c.protocol;
    }
    // Drop what is known not to matter (at least one byte, giving up a pending candidate).
    const drop = Math.max(1, this.#scanPos);
    this.#buf.copy(this.#buf, 0, drop, this.#len);
    this.#len -= drop;
    this.#dropped += drop;
    this.stats.bytesSkipped = this.#dropped;
    this.#scanPos = Math.max(0, this.#scanPos - drop);
    this.#resetSignatures();
    return this.#detect();
  }

  #resetSignatures(): void {
    for (const c of this.#candidates) c.signature.reset?.();
  }

  #handOver(protocol: ProtocolName): CameraEvent[] {
    this.#inner = createProtocolDecoder(protocol, this.#options);
    const held = this.#buf.subarray(0, this.#len);
    const events: CameraEvent[] = [{ type: 'protocol', protocol }];
    const chosen = this.#candidates.find((c) => c.protocol === protocol);
    if (chosen && !chosen.signature.framed) {
      const framed = this.#candidates.filter((c) => c.signature.framed);
      this.#watch = new FramedWatch(framed, this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    }
    this.#buf = EMPTY;
    this.#len = 0;
    this.#resetSignatures();
    // The held bytes go through the watch too: a framed frame later in them ends the guess.
    this.#deliver(held, false, events);
    return events;
  }

  #syncStats(): void {
    const inner = this.#inner!.stats;
    const past = this.#past;
    for (const key of STAT_KEYS) this.stats[key] = past[key] + inner[key];
    this.stats.bytesIn += this.#dropped + (this.#watch?.held ?? 0);
    this.stats.bytesSkipped += this.#dropped;
  }

  #detect(): ProtocolName | undefined {
    const b = this.#buf;
    const len = this.#len;
    const scan = this.#scan;
    scan.buf = b;
    scan.len = len;
    scan.final = this.#final;
    for (let i = this.#scanPos; i < len; i++) {
      const list = this.#byFirst.get(b[i]!);
      if (list === undefined) continue;
      const v = this.#ask(list, i, undefined);
      if (v === 'no') continue;
      this.#scanPos = i;
      return v === 'need' ? undefined : v;
    }
    this.#scanPos = len;
    return undefined;
  }

  /** What the signatures in `list` (but `skip`) say about position `i`. */
  #ask(list: readonly Candidate[], i: number, skip: Candidate | undefined): ProtocolName | 'no' | 'need' {
    let need = false;
    for (const c of list) {
      if (c === skip) continue;
      const outer = this.#asking;
      this.#asking = c;
      const v: Detection = c.signature.at(this.#scan, i);
      this.#asking = outer;
      if (v === 'yes') return c.protocol;
      if (v === 'need') need = true;
      else if (v !== 'no') return v.protocol as ProtocolName;
    }
    return need ? 'need' : 'no';
  }

  /** Another protocol's header at `j` (weak `follows` evidence first), asked by the signature in progress. */
  #containerAt(j: number): 'no' | 'need' | { protocol: string } {
    const asking = this.#asking;
    for (const c of this.#candidates) {
      if (c === asking || !c.signature.follows) continue;
      const v = c.signature.follows(this.#scan, j);
      if (v === 'yes') return { protocol: c.protocol };
      if (v === 'need') return 'need';
    }
    const list = this.#byFirst.get(this.#buf[j]!);
    if (list === undefined) return 'no';
    const v = this.#ask(list, j, asking);
    return v === 'no' || v === 'need' ? v : { protocol: v };
  }
}

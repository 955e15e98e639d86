/**
 * Reading back what `mkv.ts` wrote, for the recordings index when the gateway
 * starts: a finished file says its start (DateUTC), span (Duration) and frame
 * count (its `NUMBER_OF_FRAMES` tag) in its first bytes (`readMkvHead`); a file
 * cut short (`kill -9`, power cut) is walked block by block (`MkvBlockScanner`,
 * fed the bytes in order, payloads skipped) up to its last complete frame.
 * Pure: bytes in, facts out.
 */
import { readHeader, readUint } from './ebml.js';
import { FRAMES_TAG, FrameSpan, MATROSKA_EPOCH_S, type MkvSummary, UNITS_PER_SECOND } from './mkv.js';
import { ID } from './mkv-ids.js';

/** What the first bytes of a file tell. */
export interface MkvHead {
  /** Epoch seconds of time zero (DateUTC). */
  start: number;
  /** Set when the file was finished: its span, seconds. */
  duration?: number;
  /** Set when the file was finished. */
  frames?: number;
  /** File offset of the first Cluster (where `MkvBlockScanner` starts). */
  firstCluster: number;
}

const LEVEL1_SKIP = new Set<number>([ID.SeekHead, ID.Tracks, ID.Cues, ID.Void]);

function body(bytes: Uint8Array, at: number, size: number): Uint8Array | undefined {
  return at + size <= bytes.length ? bytes.subarray(at, at + size) : undefined;
}

/** Children of a master element body, as [id, body] pairs (stops at the first incomplete one). */
function children(bytes: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let at = 0;
  for (;;) {
    const h = readHeader(bytes, at);
    if (!h || h.size === undefined) return out;
    const b = body(bytes, at + h.headerLength, h.size);
    if (!b) return out;
    out.push([h.id, b]);
    at += h.headerLength + h.size;
  }
}

function readFramesTag(tags: Uint8Array): number | undefined {
  for (const [id, tag] of children(tags)) {
    if (id !== ID.Tag) continue;
    for (const [sid, simple] of children(tag)) {
      if (sid !== ID.SimpleTag) continue;
      const fields = new Map(children(simple));
      const name = fields.get(ID.TagName);
      const value = fields.get(ID.TagString);
      if (name && value && Buffer.from(name).toString('utf8') === FRAMES_TAG) {
        const n = Number(Buffer.from(value).toString('utf8'));
        if (Number.isSafeInteger(n) && n >= 0) return n;
      }
    }
  }
  return undefined;
}

/**
 * The head of a Matroska file (give it the first few KB): time zero, and span and frame count when
 * it was finished. Undefined when the bytes are not a Matroska file with a DateUTC before its first Cluster.
 */
export function readMkvHead(bytes: Uint8Array): MkvHead | undefined {
  const ebml = readHeader(bytes, 0);
  if (!ebml || ebml.id !== ID.EBML || ebml.size === undefined) return undefined;
  let at = ebml.headerLength + ebml.size;
  const segment = readHeader(bytes, at);
  if (!segment || segment.id !== ID.Segment) return undefined;
  at += segment.headerLength;
  let start: number | undefined;
  let units = 0;
  let frames: number | undefined;
  let scale = 1e9 / UNITS_PER_SECOND;
  for (;;) {
    const h = readHeader(bytes, at);
    if (!h) return undefined;
    if (h.id === ID.Cluster) break;
    if (h.size === undefined) return undefined;
    const b = body(bytes, at + h.headerLength, h.size);
    if (h.id === ID.Info && b) {
      for (const [id, value] of children(b)) {
        if (id === ID.TimestampScale) scale = readUint(value);
        else if (id === ID.Duration && value.length === 8) units = Buffer.from(value).readDoubleBE(0);
        else if (id === ID.DateUTC && value.length === 8) {
          start = Number(Buffer.from(value).readBigInt64BE(0) / 1000n) / 1e6 + MATROSKA_EPOCH_S;
        }
      }
    } else if (h.id === ID.Tags && b) {
      frames = readFramesTag(b);
    } else if (!b && !LEVEL1_SKIP.has(h.id)) {
      return undefined;
    }
    at += h.headerLength + h.size;
  }
  if (start === undefined) return undefined;
  const head: MkvHead = { start, firstCluster: at };
  if (units > 0 && frames !== undefined) {
    head.duration = (units * scale) / 1e9;
    head.frames = frames;
  }
  return head;
}

/**
 * Walks the clusters of a file fed in order from `MkvHead.firstCluster`, skipping
 * payloads, counting every block whose bytes are all there: what a player will show
 * of a file that was cut short. Holds only element headers, never a frame.
 */
export class MkvBlockScanner {
  readonly #start: number;
  /** Absolute offset of the next element header. */
  #next: number;
  /** Bytes fed, from `#carryAt`. */
  #carry: Buffer = Buffer.alloc(0);
  #carryAt: number;
  #fed: number;
  #clusterTime = 0;
  #pending: { end: number; time: number; bytes: number } | undefined;
  readonly #span = new FrameSpan();
  #broken = false;

  constructor(head: MkvHead) {
    this.#start = head.start;
    this.#next = head.firstCluster;
    this.#carryAt = head.firstCluster;
    this.#fed = head.firstCluster;
  }

  /** The next bytes of the file, in order. */
  push(chunk: Buffer): void {
    const chunkAt = this.#fed;
    this.#fed += chunk.length;
    if (this.#broken) return;
    if (this.#next >= this.#fed) {
      this.#carry = Buffer.alloc(0);
      this.#carryAt = this.#fed;
    } else {
      const from = Math.max(this.#next, this.#carryAt);
      const kept = this.#carry.subarray(from - this.#carryAt);
      const fresh = chunk.subarray(Math.max(0, from - chunkAt));
      this.#carry = kept.length > 0 ? Buffer.concat([kept, fresh]) : fresh;
      this.#carryAt = from;
    }
    this.#settle();
    while (!this.#broken && this.#next < this.#fed) {
      const at = this.#next - this.#carryAt;
      const h = readHeader(this.#carry, at);
      if (!h) {
        // A header is never longer than 12 bytes: more than that and still unreadable is garbage.
        if (this.#carry.length - at >= 12) this.#broken = true;
        return;
      }
      const bodyAt = this.#next + h.headerLength;
      if (h.id === ID.Cluster) {
        this.#next = bodyAt; // descend, whatever its size
        continue;
      }
      if (h.size === undefined) {
        this.#broken = true;
        return;
      }
      if (h.id === ID.Timestamp || h.id === ID.SimpleBlock) {
        const need = h.id === ID.Timestamp ? h.size : 4;
        if (bodyAt + need - this.#carryAt > this.#carry.length) return;
        const b = this.#carry.subarray(bodyAt - this.#carryAt, bodyAt - this.#carryAt + need);
        if (h.id === ID.Timestamp) this.#clusterTime = readUint(b);
        else
          this.#pending = {
            end: bodyAt + h.size,
            time: this.#clusterTime + b.readInt16BE(1),
            bytes: h.size - 4,
          };
      }
      this.#next = bodyAt + h.size;
      this.#settle();
    }
  }

  /** Counts the pending block once all its bytes arrived. */
  #settle(): void {
    const p = this.#pending;
    if (!p || p.end > this.#fed) return;
    this.#span.add(p.time, p.bytes);
    this.#pending = undefined;
  }

  /** What the file holds up to its last complete block. */
  summary(): MkvSummary {
    return this.#span.summary(this.#start);
  }
}

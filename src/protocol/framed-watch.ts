/**
 * What auto-detection keeps doing once it settled on a weak guess (a bare JPEG stream, ArduCAM
 * text): watching the bytes for a frame of a framed protocol (CAMF, Arducam Mega, OpenIris — the
 * registry's signatures with `framed: true`), which carries its own length and check and so is
 * proof of what the device speaks. Long random junk before a CAMF device's first frame can hold
 * a walkable JPEG; without this watch that guess would stick until a restart.
 *
 * Pure and bounded: it holds back at most `SWITCH_WINDOW` bytes (a possible frame start not yet
 * decidable) and judges each position with the signature's own `at()` from at most that many
 * bytes, so where it switches does not depend on how the bytes were chunked.
 */
import type { ScanWindow, Signature } from './module.js';

/** A frame start must be proven within this many bytes (a CAMF header is 28, OpenIris 9, a Mega image 11). */
export const SWITCH_WINDOW = 64;

export interface WatchedSignature {
  readonly protocol: string;
  readonly signature: Signature;
}

export interface WatchResult {
  /** Bytes that start no framed protocol's frame: for the decoder in use. */
  before: Buffer;
  /** A frame of `protocol` starts right after `before`; `rest` is it and everything after it. */
  found?: { protocol: string; rest: Buffer };
}

interface Needle {
  readonly bytes: Buffer;
  readonly watched: WatchedSignature;
  /** Next occurrence at or after the scan position, -1 when none; recomputed once passed. */
  next: number;
}

const EMPTY = Buffer.alloc(0);

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class FramedWatch {
  readonly #needles: Needle[];
  readonly #longest: number;
  readonly #maxFrameBytes: number;
  /** Bytes held back from the last push: a possible frame start (a copy, never the caller's chunk). */
  #held: Buffer = EMPTY;

  constructor(watched: readonly WatchedSignature[], maxFrameBytes: number) {
    this.#needles = watched.flatMap((w) =>
      (w.signature.prefixes ?? w.signature.firstBytes.map((b) => Uint8Array.of(b))).map((p) => ({
        bytes: Buffer.from(p),
        watched: w,
        next: -1,
      })),
    );
    this.#longest = Math.max(1, ...this.#needles.map((n) => n.bytes.length));
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held back, waiting for more to decide. */
  get held(): number {
    return this.#held.length;
  }

  /** Watch `chunk` (after any held bytes); `final`: the stream ended, decide everything. */
  push(chunk: Uint8Array, final: boolean): WatchResult {
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : asBuffer(chunk);
    this.#held = EMPTY;
    const len = data.length;
    for (const n of this.#needles) n.next = data.indexOf(n.bytes);
    let pos = 0;
    for (;;) {
      let at = -1;
      for (const n of this.#needles) {
        if (n.next >= 0 && n.next < pos) n.next = data.indexOf(n.bytes, pos);
        if (n.next >= 0 && (at < 0 || n.next < at)) at = n.next;
      }
      if (at < 0) break;
      const verdict = this.#judge(data, at, final);
      if (verdict === 'need') return this.#hold(data, at);
      if (verdict !== 'no')
        return { before: data.subarray(0, at), found: { protocol: verdict, rest: data.subarray(at) } };
      pos = at + 1;
    }
    // A needle cut by the end of the bytes: hold its start for the next push.
    if (!final) {
      for (let k = Math.min(this.#longest - 1, len - pos); k > 0; k--) {
        const tail = data.subarray(len - k);
        if (this.#needles.some((n) => n.bytes.length > k && n.bytes.subarray(0, k).equals(tail))) {
          return this.#hold(data, len - k);
        }
      }
    }
    return { before: data };
  }

  #hold(data: Buffer, from: number): WatchResult {
    this.#held = Buffer.from(data.subarray(from));
    return { before: data.subarray(0, from) };
  }

  /** The protocol whose frame starts at `at`, 'need' to wait for bytes, or 'no'. */
  #judge(data: Buffer, at: number, final: boolean): string {
    const enough = data.length - at >= SWITCH_WINDOW;
    const w: ScanWindow = {
      buf: data,
      len: enough ? at + SWITCH_WINDOW : data.length,
      maxFrameBytes: this.#maxFrameBytes,
      final: final || enough,
      containerAt: () => 'no',
    };
    let need = false;
    for (const n of this.#needles) {
      if (n.next !== at) continue;
      const v = n.watched.signature.at(w, at);
      if (v === 'yes') return n.watched.protocol;
      if (v === 'need') need = true;
    }
    return need ? 'need' : 'no';
  }
}

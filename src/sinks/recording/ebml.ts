/**
 * EBML, the binary layout under Matroska: an element is its ID, its size as a
 * variable-length integer ("vint"), then its body. Pure byte building and
 * reading, no I/O: just what the Matroska writer (`mkv.ts`) and the index's
 * reader (`mkv-read.ts`) need.
 */

/** The 8-byte size that means "unknown": an element still being written (a live segment or cluster). */
export const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** Writes `value` as a vint of exactly `width` bytes (1..8) into `out` at `offset`. */
export function writeVint(out: Uint8Array, offset: number, value: number, width: number): void {
  // All value bits set means "unknown", so the largest size of a width is one less.
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (7 * width) - 1) {
    throw new RangeError(`EBML size ${value} does not fit in ${width} bytes`);
  }
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[offset]! |= 0x80 >> (width - 1);
}

/** `value` as a vint of exactly `width` bytes (1..8). */
export function vint(value: number, width: number): Buffer {
  const out = Buffer.alloc(width);
  writeVint(out, 0, value, width);
  return out;
}

/** `value` as the shortest vint. */
export function sizeVint(value: number): Buffer {
  let width = 1;
  while (value >= 2 ** (7 * width) - 1) width++;
  return vint(value, width);
}

/** An element ID (which carries its own length marker) as bytes. */
export function idBytes(id: number): Buffer {
  const width = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const out = Buffer.alloc(width);
  out.writeUIntBE(id, 0, width);
  return out;
}

/** A master or binary element: ID, size, then the children or bytes. */
export function element(id: number, ...body: Uint8Array[]): Buffer {
  const length = body.reduce((n, b) => n + b.length, 0);
  return Buffer.concat([idBytes(id), sizeVint(length), ...body]);
}

/** An unsigned integer element, big-endian in as few bytes as it needs (up to 2^53). */
export function uintElement(id: number, value: number): Buffer {
  let width = 1;
  while (width < 7 && value >= 2 ** (8 * width)) width++;
  const body = Buffer.alloc(width);
  body.writeUIntBE(value, 0, width);
  return element(id, body);
}

/** A signed 64-bit integer element (Matroska's DateUTC). */
export function int64Element(id: number, value: bigint): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigInt64BE(value);
  return element(id, body);
}

/** A 64-bit float element. */
export function floatElement(id: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleBE(value);
  return element(id, body);
}

/** A UTF-8 string element. */
export function stringElement(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'utf8'));
}

/** A Void element (ID `EC`) taking exactly `total` bytes (≥ 2), to keep room for a later rewrite. */
export function voidElement(total: number): Buffer {
  if (total < 2) throw new RangeError(`a Void element needs at least 2 bytes, got ${total}`);
  // One size byte holds up to 126; beyond that use 8 so any total ≥ 10 fits.
  const width = total - 2 <= 126 ? 1 : 8;
  const out = Buffer.alloc(total);
  out[0] = 0xec;
  vint(total - 1 - width, width).copy(out, 1);
  return out;
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────

/** One element header read from bytes. `size` is undefined for the unknown size. */
export interface ElementHeader {
  id: number;
  /** Body size; undefined when unknown (a live element). */
  size: number | undefined;
  /** Bytes of ID + size. */
  headerLength: number;
}

/** Width of the vint starting with `first` (1..8), or 0 for an invalid first byte. */
function vintWidth(first: number): number {
  for (let w = 1; w <= 8; w++) if (first & (0x80 >> (w - 1))) return w;
  return 0;
}

/** The element header at `offset`, or undefined when `bytes` ends before it does (or it is invalid). */
export function readHeader(bytes: Uint8Array, offset: number): ElementHeader | undefined {
  if (offset >= bytes.length) return undefined;
  const idWidth = vintWidth(bytes[offset]!);
  if (idWidth === 0 || idWidth > 4 || offset + idWidth >= bytes.length) return undefined;
  let id = 0;
  for (let i = 0; i < idWidth; i++) id = id * 256 + bytes[offset + i]!;
  const at = offset + idWidth;
  const sizeWidth = vintWidth(bytes[at]!);
  if (sizeWidth === 0 || at + sizeWidth > bytes.length) return undefined;
  let size = bytes[at]! & (0xff >> sizeWidth);
  let allOnes = size === 0xff >> sizeWidth;
  for (let i = 1; i < sizeWidth; i++) {
    const b = bytes[at + i]!;
    size = size * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { id, size: allOnes ? undefined : size, headerLength: idWidth + sizeWidth };
}

/** An unsigned integer body. */
export function readUint(body: Uint8Array): number {
  let v = 0;
  for (const b of body) v = v * 256 + b;
  return v;
}

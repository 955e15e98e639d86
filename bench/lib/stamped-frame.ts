/**
 * Benchmark frames: a real JPEG (fixtures/jpeg/qvga-001.jpg) with a COM segment
 * right after SOI that carries a sequence number and the producer's
 * `process.hrtime` (CLOCK_MONOTONIC, shared by every process on the machine),
 * padded to the wanted size. A client reads the stamp from the first bytes of
 * each part to tell which frame it got and how long it took.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'jpeg', 'qvga-001.jpg'),
);
const MAGIC = 0x43474231; // 'CGB1'
/** SOI (2) + COM marker (2) + length (2) + magic (4) + seq (4) + hrtime ns (8). */
export const STAMP_BYTES = 22;
const SEQ_AT = 10;
const TIME_AT = 14;

export interface Stamp {
  seq: number;
  /** Producer's `process.hrtime.bigint()` when the frame was handed to the server. */
  sentNs: bigint;
}

/** Makes fresh frames of exactly `size` bytes (a new Buffer each time, as a device would deliver). */
export class StampedFrames {
  readonly #template: Buffer;

  constructor(readonly size: number) {
    const comPayload = size - BASE.length - 4; // COM marker + length field on top of the base JPEG
    if (comPayload < 2 + 16 || comPayload > 0xffff) {
      throw new RangeError(
        `frame size must be between ${BASE.length + 22} and ${BASE.length + 4 + 0xffff} bytes`,
      );
    }
    const t = Buffer.alloc(size, 0x20);
    t[0] = 0xff;
    t[1] = 0xd8;
    t[2] = 0xff;
    t[3] = 0xfe;
    t.writeUInt16BE(comPayload, 4);
    t.writeUInt32BE(MAGIC, 6);
    BASE.copy(t, 4 + comPayload, 2); // the rest of the real JPEG after its SOI
    this.#template = t;
  }

  make(seq: number): Buffer {
    const frame = Buffer.allocUnsafe(this.size);
    this.#template.copy(frame);
    frame.writeUInt32BE(seq >>> 0, SEQ_AT);
    frame.writeBigUInt64BE(process.hrtime.bigint(), TIME_AT);
    return frame;
  }
}

/** The stamp in a frame's first `STAMP_BYTES` bytes, or undefined if they are not a benchmark frame. */
export function readStamp(head: Buffer): Stamp | undefined {
  if (head.length < STAMP_BYTES || head.readUInt32BE(6) !== MAGIC) return undefined;
  return { seq: head.readUInt32BE(SEQ_AT), sentNs: head.readBigUInt64BE(TIME_AT) };
}

/** Case generator for the device-protocol fuzz test (kept apart so a failing case can be replayed alone). */
import {
  arducamCapture,
  arducamStreamFrame,
  megaImage,
  megaLegacyImage,
  noise,
  openIrisFrame,
} from '../../scripts/device-streams.js';
import { ArducamDecoder } from '../../src/protocol/arducam/decoder.js';
import { ArducamMegaDecoder } from '../../src/protocol/arducam-mega/decoder.js';
import { OpenIrisDecoder } from '../../src/protocol/openiris/decoder.js';
import type { DeviceDecoder } from './device-helpers.js';
import { tinyJpeg } from './fuzz-mutate.js';
import { fixtureJpegs, mulberry32 } from './helpers.js';

export const MAX_FRAME = 64 * 1024;

export interface Framing {
  name: string;
  make: () => DeviceDecoder;
  frame: (jpeg: Buffer) => Buffer;
  /** Offset of the JPEG's first byte inside `wire`, which is `frame(jpeg)`. */
  header: (jpeg: Buffer, wire: Buffer) => number;
  /** Byte offset of a length field to make lie, if the framing has one. */
  lengthField?: { at: number; bytes: 2 | 4 };
  /** Damage that this framing can detect (ArduCAM has no length and no checksum). */
  damages: readonly Damage[];
  /**
   * Whether a frame is delimited by more than its own JPEG structure. Without that (ArduCAM),
   * a frame cut short followed by line noise that happens to contain FF D9 is a structurally
   * valid JPEG nobody can tell from a real one: such noise is not generated for these framings.
   */
  delimited: boolean;
}

export type Damage = 'cut' | 'drop' | 'lie';

export const FRAMINGS: readonly Framing[] = [
  {
    name: 'arducam stream',
    make: () => new ArducamDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => arducamStreamFrame(j),
    header: () => 13,
    damages: ['cut'],
    delimited: false,
  },
  {
    name: 'arducam single shot',
    make: () => new ArducamDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => arducamCapture(j),
    header: (j, wire) => wire.length - j.length,
    damages: ['cut'],
    delimited: false,
  },
  {
    name: 'arducam 2016',
    make: () => new ArducamDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => arducamStreamFrame(j, true),
    header: () => 0,
    damages: ['cut'],
    delimited: false,
  },
  {
    name: 'mega current',
    make: () => new ArducamMegaDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => megaImage(j),
    header: () => 8,
    lengthField: { at: 3, bytes: 4 },
    damages: ['cut', 'drop', 'lie'],
    delimited: true,
  },
  {
    name: 'mega legacy',
    make: () => new ArducamMegaDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => megaLegacyImage(j),
    header: () => 7,
    lengthField: { at: 3, bytes: 4 },
    damages: ['cut', 'drop', 'lie'],
    delimited: true,
  },
  {
    name: 'openiris',
    make: () => new OpenIrisDecoder({ maxFrameBytes: MAX_FRAME }),
    frame: (j) => openIrisFrame(j),
    header: () => 6,
    lengthField: { at: 4, bytes: 2 },
    damages: ['cut', 'drop', 'lie'],
    delimited: true,
  },
];

const JPEGS = fixtureJpegs().map((j) => j.bytes);

export interface Case {
  framing: Framing;
  stream: Buffer;
  sent: Buffer[];
  /** Indexes of frames damaged on purpose. */
  damaged: Set<number>;
}

/** Case `seed`: one of `framings`, a few framed JPEGs, noise between some, damage to some. */
export function buildCase(seed: number, framings: readonly Framing[] = FRAMINGS): Case {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const framing = pick(framings);
  const count = 2 + Math.floor(rand() * 5);
  // A third real camera frames (thumbnails, progressive scans, restart markers …), the rest small ones.
  const sent = Array.from({ length: count }, () =>
    rand() < 0.35 ? pick(JPEGS) : tinyJpeg(rand, Math.floor(rand() * 3000)),
  );
  const damaged = new Set<number>();
  const parts: Buffer[] = [];
  sent.forEach((jpeg, k) => {
    let wire = framing.frame(jpeg);
    if (k > 0 && rand() < 0.3) {
      const junk = noise(rand, 1 + Math.floor(rand() * 200));
      // Text-based framings resynchronise on line ends: end the noise like a line glitch does.
      junk[junk.length - 1] = 0x00;
      if (!framing.delimited) {
        // Not inside the noise, nor across its start: a frame cut right after an FF ends in one.
        if (parts.at(-1)?.at(-1) === 0xff && junk[0] === 0xd9) junk[0] = 0xd8;
        for (let i = 1; i < junk.length; i++) if (junk[i - 1] === 0xff && junk[i] === 0xd9) junk[i] = 0xd8;
      }
      parts.push(junk);
    }
    if (rand() < 0.35) {
      const kind = pick(framing.damages);
      const start = framing.header(jpeg, wire);
      damaged.add(k);
      if (kind === 'cut') {
        wire = wire.subarray(0, start + 2 + Math.floor(rand() * (jpeg.length - 4)));
      } else if (kind === 'drop') {
        const at = start + 2 + Math.floor(rand() * (jpeg.length - 4));
        const n = 1 + Math.floor(rand() * 64);
        wire = Buffer.concat([wire.subarray(0, at), wire.subarray(Math.min(wire.length - 2, at + n))]);
      } else {
        const field = framing.lengthField!;
        wire = Buffer.from(wire);
        const delta = 1 + Math.floor(rand() * 2000);
        // Now and then a length far beyond maxFrameBytes (memory must not follow it).
        const huge = field.bytes === 4 && rand() < 0.15;
        const lie = huge ? 0xffffffff : Math.max(0, jpeg.length + (rand() < 0.5 ? -delta : delta));
        if (field.bytes === 2) wire.writeUInt16LE(lie & 0xffff, field.at);
        else wire.writeUInt32LE(lie, field.at);
      }
    }
    parts.push(wire);
  });
  return { framing, stream: Buffer.concat(parts), sent, damaged };
}

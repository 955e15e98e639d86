/**
 * TextLineReader's bulk paths (`feed` over a run, `skipJunk` over junk) leave it exactly as
 * `push`ing the same bytes one by one does: the same lines, the same skipped count, the same
 * pending bytes — so the decoders' counters do not depend on which path read the bytes.
 */
import { describe, expect, it } from 'vitest';
import { stopTable, TextLineReader } from '../../../src/protocol/common/text-lines.js';
import { mulberry32 } from '../helpers.js';

/** Text, CR, LF, NUL, TAB and binary bytes mixed, seeded. */
function mixed(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const x = r();
    b[i] =
      x < 0.4
        ? 0x41 + Math.floor(r() * 26)
        : x < 0.45
          ? 0x0d
          : x < 0.47
            ? 0x0a
            : x < 0.52
              ? 0x00
              : x < 0.55
                ? 0x09
                : Math.floor(r() * 256);
  }
  return b;
}

function byteByByte(bytes: Buffer, taint: boolean): { lines: string[]; reader: TextLineReader } {
  const reader = new TextLineReader();
  if (taint) reader.taint();
  const lines: string[] = [];
  for (const b of bytes) {
    const line = reader.push(b);
    if (line !== null) lines.push(line);
  }
  return { lines, reader };
}

describe('TextLineReader', () => {
  it('feed and skipJunk agree with push byte by byte on 5000 mixed streams, rescanned or not', () => {
    const r = mulberry32(20261201);
    const stops = stopTable([0xff]);
    for (let t = 0; t < 5000; t++) {
      const bytes = mixed(r, 1 + Math.floor(r() * 700));
      const taint = r() < 0.5;
      const want = byteByByte(bytes, taint);
      const reader = new TextLineReader();
      if (taint) reader.taint();
      const lines: string[] = [];
      for (let i = 0; i < bytes.length; ) {
        const junk = reader.junkUntil;
        if (junk !== 0) {
          let j = i;
          while (
            j < bytes.length &&
            bytes[j] !== 0x0a &&
            bytes[j] !== 0x0d &&
            !(junk === 2 && bytes[j] === 0)
          )
            j++;
          if (j > i) {
            reader.skipJunk(bytes, i, j);
            i = j;
            continue;
          }
        }
        const to = Math.min(bytes.length, i + 1 + Math.floor(r() * 40));
        i = reader.feed(bytes, i, to, stops);
        if (reader.line !== null) lines.push(reader.line);
        else if (i < to) {
          const line = reader.push(bytes[i++]!); // the stop byte, as a decoder does when no frame starts there
          if (line !== null) lines.push(line);
        }
      }
      const where = `stream ${t} (${taint ? 'rescan' : 'text'})`;
      expect(lines, where).toEqual(want.lines);
      expect(reader.pending, where).toBe(want.reader.pending);
      expect(reader.junkUntil, where).toBe(want.reader.junkUntil);
      expect(reader.takeSkipped(), where).toBe(want.reader.takeSkipped());
    }
  });

  it('cuts a line without an end every 256 characters, and only text that started at a boundary is a line', () => {
    const reader = new TextLineReader();
    const lines: string[] = [];
    for (const b of Buffer.concat([Buffer.alloc(600, 'a'), Buffer.from('\x01tail\nnext\n')])) {
      const line = reader.push(b);
      if (line !== null) lines.push(line);
    }
    expect(lines).toEqual(['a'.repeat(256), 'a'.repeat(256), 'next']);
  });
});

/**
 * Seeded, reproducible fuzz of the device-protocol decoders (ArduCAM, Arducam Mega, OpenIris).
 * Each case frames a few real JPEGs the way a device does, damages the stream the way serial
 * links do (bytes lost, a frame cut short, lengths that lie, noise between frames) and checks:
 * nothing throws, memory stays bounded, every frame that comes out is one that was sent,
 * byte for byte, and every frame away from the damage comes out. The same stream fed in
 * random chunk sizes must give the same events and counters.
 *
 *   FUZZ_CASES=2000 FUZZ_SEED=12345 npx vitest run test/protocol/device-fuzz.test.ts
 *   FUZZ_FROM=70586 FUZZ_CASES=1 npx vitest run test/protocol/device-fuzz.test.ts   replay case 70586 alone
 */
import { describe, expect, it } from 'vitest';
import { ArducamDecoder } from '../../src/protocol/arducam/decoder.js';
import { ArducamMegaDecoder } from '../../src/protocol/arducam-mega/decoder.js';
import { MAX_TEXT_LINE } from '../../src/protocol/common/text-lines.js';
import { OpenIrisDecoder } from '../../src/protocol/openiris/decoder.js';
import type { DeviceEvent } from '../../src/protocol/types.js';
import { buildCase, type Case, MAX_FRAME } from './device-fuzz-cases.js';
import { FUZZ_CASES as CASES, FUZZ_FROM, FUZZ_TIMEOUT, mulberry32, sha1, summarize } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

/** Feeds the stream in random chunk sizes; checks memory after every push. */
function decode(c: Case, rand: () => number | null): { events: DeviceEvent[]; stats: object; peak: number } {
  const d = c.framing.make();
  const events: DeviceEvent[] = [];
  let peak = 0;
  for (let i = 0; i < c.stream.length; ) {
    const r = rand();
    const n = r === null ? c.stream.length : 1 + Math.floor(r * r * 5000);
    const chunk = c.stream.subarray(i, i + n);
    events.push(...d.push(chunk));
    peak = Math.max(peak, d.bufferedBytes);
    i += n;
  }
  events.push(...d.end());
  expect(d.bufferedBytes).toBe(0);
  return { events, stats: { ...d.stats }, peak };
}

describe(`device decoders fuzz (${CASES} cases, seed ${SEED})`, () => {
  const title = 'never throw, stay bounded, emit only sent frames, recover undamaged ones, ignore chunking';
  it(title, { timeout: FUZZ_TIMEOUT }, () => {
    const failures: string[] = [];
    for (let i = FUZZ_FROM; i < FUZZ_FROM + CASES; i++) {
      const seed = SEED + i;
      const c = buildCase(seed);
      const where = `case ${i} (FUZZ_SEED=${SEED} index ${i}, ${c.framing.name}, damaged ${[...c.damaged]})`;
      const whole = decode(c, () => null);
      const chunkRand = mulberry32(seed ^ 0x5eed);
      const pieces = decode(c, chunkRand);

      expect(summarize(pieces.events), where).toEqual(summarize(whole.events));
      expect(pieces.stats, where).toEqual(whole.stats);
      expect(pieces.peak, where).toBeLessThanOrEqual(MAX_FRAME + 16 + MAX_TEXT_LINE);

      const sentDigests = new Set(c.sent.map(sha1));
      const frames = whole.events.flatMap((e) => (e.type === 'frame' ? [e.jpeg] : []));
      for (const f of frames) {
        if (!sentDigests.has(sha1(f))) failures.push(`${where}: emitted a frame that was never sent`);
      }
      // Every undamaged frame comes out, in order.
      const expected = c.sent.filter((_, k) => !c.damaged.has(k)).map(sha1);
      const got = frames.map(sha1);
      let j = 0;
      for (const digest of got) if (digest === expected[j]) j++;
      if (j !== expected.length)
        failures.push(`${where}: recovered ${j} of ${expected.length} undamaged frames`);
    }
    expect(failures).toEqual([]);
  });
});

describe('device decoders under a flood of text with no line end', () => {
  it('keep at most one line of text and log it in pieces', () => {
    const flood = Buffer.alloc(100_000, 'A');
    for (const d of [new ArducamDecoder(), new ArducamMegaDecoder(), new OpenIrisDecoder()]) {
      let logs = 0;
      for (let i = 0; i < flood.length; i += 999) {
        logs += d.push(flood.subarray(i, i + 999)).filter((e) => e.type === 'log').length;
        expect(d.bufferedBytes, d.protocol).toBeLessThanOrEqual(MAX_TEXT_LINE);
      }
      expect(logs, d.protocol).toBe(Math.floor(flood.length / MAX_TEXT_LINE));
    }
  });
});

/**
 * Seeded, reproducible fuzz of the device-protocol decoders (ArduCAM 2017 and 2016 sketches,
 * Arducam Mega current and legacy framing, OpenIris); the targets and checks are in
 * `fuzz-cases.ts`, shared with `npm run fuzz`. Each case frames a few real JPEGs the way a device
 * does, damages the stream the way serial links do (bytes lost, a frame cut short, lengths that
 * lie, noise between frames) and checks: nothing throws, memory stays bounded, every frame that
 * comes out is one that was sent, byte for byte, and every frame away from the damage comes out.
 * The same stream fed in random chunk sizes must give the same events and counters.
 *
 *   FUZZ_CASES=2000 FUZZ_SEED=12345 npx vitest run test/protocol/device-fuzz.test.ts
 */
import { describe, expect, it } from 'vitest';
import { ArducamDecoder } from '../../src/protocol/arducam/decoder.js';
import { ArducamMegaDecoder } from '../../src/protocol/arducam-mega/decoder.js';
import { MAX_TEXT_LINE } from '../../src/protocol/common/text-lines.js';
import { OpenIrisDecoder } from '../../src/protocol/openiris/decoder.js';
import { replayCases, runTarget } from './fuzz-suite.js';
import { FUZZ_CASES } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
/** The five device targets share the default budget of one loop. */
const CASES = process.env.FUZZ_CASES === undefined ? Math.ceil(FUZZ_CASES / 3) : FUZZ_CASES;

describe('device decoders fuzz: never throw, stay bounded, emit only sent frames, recover undamaged ones, ignore chunking', () => {
  for (const name of ['arducam', 'arducam-2016', 'arducam-mega', 'arducam-mega-legacy', 'openiris'])
    runTarget(name, SEED, CASES);
  for (const name of ['arducam', 'arducam-2016'])
    replayCases(
      name,
      1,
      [123099, 183425, 400813, 812601, 848309, 855069, 943037],
      'a frame cut right after an FF is not followed by noise starting with D9 (an EOI no reader could doubt)',
    );
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

/**
 * Seeded, reproducible fuzzing of the CAMF, bare JPEG and auto decoders (the targets and their
 * checks are in `fuzz-cases.ts`, shared with `npm run fuzz`, which runs a million per target).
 *
 *   FUZZ_CASES=5000 npx vitest run test/protocol/fuzz.test.ts    more cases (default 300 per target)
 *   FUZZ_SEED=1234 npx vitest run test/protocol/fuzz.test.ts     replay (a failure prints its seed and case)
 *
 * Each case builds a stream of known frames, applies 1-3 mutations (bit flips, byte drops,
 * inserts of random or header-shaped junk, truncation, lying length fields), tracks which frames
 * each mutation touched, then feeds the stream whole and in random chunks and checks: nothing
 * throws; memory stays bounded; both chunkings give the same events; every emitted frame is
 * genuine (CAMF: equals the frame sent with that seq; JPEG: structurally valid); every frame no
 * mutation touched comes out.
 */
import { describe, expect, it } from 'vitest';
import { CamfDecoder } from '../../src/protocol/camf/decoder.js';
import { encodeCamfFrame } from '../../src/protocol/camf/frame.js';
import { randomBytes } from './fuzz-mutate.js';
import { replayCases, runTarget } from './fuzz-suite.js';
import { mulberry32 } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

describe('fuzz', () => {
  runTarget('camf', SEED);
  runTarget('auto', SEED);
  runTarget('jpeg', SEED);
  replayCases(
    'camf',
    1,
    [863954],
    'a byte dropped where it slides onto the next frame’s magic damages both frames',
  );

  it('encodeCamfFrame / CamfDecoder round-trip random payloads of every small size', () => {
    const r = mulberry32(SEED);
    const d = new CamfDecoder();
    for (let n = 0; n < 300; n++) {
      const payload = randomBytes(r, n);
      const events = d.push(encodeCamfFrame({ type: 0x02, payload, seq: n }));
      expect(events).toEqual([{ type: 'log', text: new TextDecoder().decode(payload) }]);
    }
    expect(d.stats.crcErrors).toBe(0);
  });
});

/** The suite's side of the fuzz targets (`fuzz-cases.ts`): a few hundred cases per target, replayable by seed. */
import { expect, it } from 'vitest';
import { caseSeed, fuzzTarget } from './fuzz-cases.js';
import { FUZZ_CASES, FUZZ_TIMEOUT } from './helpers.js';

/**
 * One test running `cases` cases of a target from `seed`; every violation names its case
 * (`FUZZ_SEED=<seed>` and the case number replay it).
 */
export function runTarget(name: string, seed: number, cases = FUZZ_CASES): void {
  it(`${name}: ${cases} cases from seed ${seed}`, { timeout: FUZZ_TIMEOUT }, () => {
    const target = fuzzTarget(name);
    const failures: string[] = [];
    for (let c = 0; c < cases && failures.length < 20; c++) {
      for (const v of target.run(caseSeed(seed, c))) failures.push(`[FUZZ_SEED=${seed} case ${c}] ${v}`);
    }
    expect(failures).toEqual([]);
  });
}

/** One named test replaying cases of a target that `npm run fuzz` once failed (`why`: what they hold). */
export function replayCases(name: string, seed: number, cases: readonly number[], why: string): void {
  it(`${name}: FUZZ_SEED=${seed} cases ${cases.join(', ')}: ${why}`, () => {
    const target = fuzzTarget(name);
    for (const c of cases) expect(target.run(caseSeed(seed, c)), `case ${c}`).toEqual([]);
  });
}

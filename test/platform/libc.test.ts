import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { libc, libcUnavailable } from '../../src/platform/libc.js';

describe.runIf(process.platform === 'linux')('libc through koffi', () => {
  it('loads, and reads this process’s open-file limits as the shell sees them', () => {
    const c = libc();
    expect(c, libcUnavailable()).not.toBeNull();
    const rlim = Buffer.alloc(16);
    expect(c!.getrlimit(7 /* RLIMIT_NOFILE */, rlim)).toBe(0);
    const soft = Number(rlim.readBigUInt64LE(0));
    const hard = Number(rlim.readBigUInt64LE(8));
    // A child inherits the limits: its shell reports the same numbers.
    const shell = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(shell.map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)))).toEqual([
      soft > 2 ** 53 ? Number.POSITIVE_INFINITY : soft,
      hard > 2 ** 53 ? Number.POSITIVE_INFINITY : hard,
    ]);
  });
});

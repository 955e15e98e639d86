import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { libcUnavailable } from '../../src/platform/libc.js';
import { openFileLimit } from '../../src/platform/open-files.js';

describe.runIf(process.platform === 'linux')('openFileLimit', () => {
  it('reads the limits the kernel reports for this process', () => {
    const limit = openFileLimit();
    expect(limit, libcUnavailable()).not.toBeNull();
    const [, soft, hard] = /^Max open files\s+(\S+)\s+(\S+)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    )!;
    const value = (v: string | undefined): number =>
      v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v);
    expect(limit).toEqual({ soft: value(soft), hard: value(hard) });
  });
});

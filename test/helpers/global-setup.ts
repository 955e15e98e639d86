/**
 * Vitest global setup: run `npx cam-gateway --version` once before any test file. npm 11 makes
 * the npx cache entry for this checkout on the first `npx cam-gateway` (it installs the folder
 * and runs its `prepare` build: ~25 s on a busy 2-core machine); two test files doing that at
 * once on a fresh clone race each other, and a test that waits 25 s for the gateway's first
 * line fails. Doing it here, once, leaves every test a warm npx.
 */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, repairNpxCache } from './cli.js';

export default function warmNpx(): void {
  repairNpxCache();
  const run = spawnSync('npx', ['cam-gateway', '--version'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (run.status !== 0) {
    // The tests that run npx will fail with their own message; say why here once.
    process.stderr.write(
      `global setup: \`npx cam-gateway --version\` failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}\n`,
    );
  }
}

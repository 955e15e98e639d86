import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests open ptys, sockets and a browser: keep workers to the 2 cores we have.
    maxWorkers: 2,
    reporters: ['default', './test/reporters/summary.ts'],
    // One `npx cam-gateway` before the files start: its first run builds npx's cache entry (slow, racy).
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});

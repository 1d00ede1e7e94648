import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Polls wait for servers and browsers, which take longer than the default second on a loaded machine.
    expect: { poll: { timeout: 10_000 } },
    // Server tests open real ports and databases; two workers match the two cores of CI.
    maxWorkers: 2,
  },
});

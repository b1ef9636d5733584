import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most integration files wait on real clocks and loopback servers, not on the CPU: three at a
    // time keep two cores busy (the default of one worker per spare core ran them one by one).
    maxWorkers: 3,
    globalSetup: ['test/support/global-setup.ts'],
  },
});

import { defineConfig } from 'vitest/config';

// End-to-end specs: Debian Chromium (playwright-core) against the real Node host. One fork, one
// file at a time: the specs start a browser and an inference worker each.
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});

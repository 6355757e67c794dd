// DEV ONLY: runs the e2e specs (or, with FLAT_DEV_BENCH=1, the UI bench) against the fake host,
// for UI iteration without the real worker. Results from this config say nothing about the
// product; the committed config (e2e/vitest.config.ts) uses the real host.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.FLAT_DEV_BENCH ? ['e2e/dev/*.devspec.ts'] : ['e2e/**/*.spec.ts'],
  },
  resolve: {
    alias: [{ find: /^\.\.\/main\/node-host\/server$/, replacement: fileURLToPath(new URL('./fake-node-host.ts', import.meta.url)) }],
  },
});

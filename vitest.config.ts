import { defineConfig } from 'vitest/config';

// Test files run one at a time: many of them time real blocked processes,
// and two cores shared by parallel files would blur those timings.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

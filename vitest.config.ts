import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Behaviour tests start real processes as PID 1; two cores, so keep the
    // pool small and every test bounded in time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    // Removes a private dockerd a crashed docker test left behind (test/containers/docker.ts);
    // one directory per run for the executable as every uid may run it (test/behaviour/harness.ts).
    globalSetup: ['test/containers/docker-global.ts', 'test/behaviour/anyone-global.ts'],
  },
});

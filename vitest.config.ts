import { defineConfig } from 'vitest/config';

// .ci/run sets MLCTL_VITEST_JSON so it can print "N passed, N failed" from vitest's own results.
const jsonReport = process.env.MLCTL_VITEST_JSON;

export default defineConfig({
  test: {
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          // one real PostgreSQL server for the run's database-registry tests (see the helper)
          globalSetup: ['test/helpers/pg-global-setup.ts'],
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 60_000,
          // In-process files share one worker's module graph instead of a fresh process each:
          // TF.js and the sources load once, not once per file (about half the unit tier's time).
          // The files keep no global state between them (temp dirs, env and TF.js backend are
          // set per test), so this changes speed, not results.
          isolate: false,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['test/helpers/pg-global-setup.ts'],
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Tests in describe.concurrent blocks (independent CLI runs in their own temp dirs) run
          // two at a time, and two such blocks at a time: a test mostly waits for its child
          // process, so this keeps both cores busy without oversubscribing a 2-core machine.
          maxConcurrency: 2,
          // as for the unit tier: the files share one module graph (TF.js loads once for their fixtures)
          isolate: false,
        },
      },
    ],
  },
});

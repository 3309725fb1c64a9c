import { defineConfig } from 'vitest/config'
import { alias } from './vite.config.js'

// chDB runs each query on a libuv thread, and the store gives every workload its own connections
// (store/client.ts): the test processes, forked from this one, need as many threads as package.json
// gives the services. libuv reads the size when a process starts.
process.env.UV_THREADPOOL_SIZE ??= '24'

// Three projects: pure unit tests, integration tests on a real chDB (one per test file, each in its
// own process: chDB binds one data directory per process), and browser tests in Debian's chromium.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          exclude: ['test/integration/start.int.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The main paths again on a tiny synthetic city (another code, names, place and time zone):
        // nothing may assume the demo city. Files written against `city()` of test/support/harness.ts.
        test: {
          name: 'integration-tiny',
          include: [
            'test/integration/api-numbers.int.test.ts',
            'test/integration/scope.int.test.ts',
            'test/integration/overview-compare.int.test.ts',
          ],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { IOC_CITY_DIR: 'test/fixtures/city-tiny' },
        },
      },
      {
        // `npm start` against the time bound (10 s from /healthz): after every other project,
        // alone, so the two cores are not shared with a dozen chDB test processes.
        test: {
          name: 'integration-startup',
          include: ['test/integration/start.int.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
})

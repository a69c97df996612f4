import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start their own emulator on port 0, so files can run in parallel.
    pool: 'forks',
    // Each test its own answer ledger (RUN_BATCH_LEDGER), so no test reuses another's answers.
    setupFiles: ['test/setup-ledger.ts'],
    // The SDK in a test's own process warns that Node 20 support ends in 2027 (the CLI turns that
    // off itself; test/integration/bin-start.test.ts checks it with a clean environment).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

import { defineConfig } from 'vitest/config';

// One config for every test: unit and integration run in Node against real loopback sockets;
// renderer component tests opt into happy-dom per file; e2e tests drive Chromium (test/helpers/chromium.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Once per run: pick (and unpack) the browser, build the headless bundle if stale.
    globalSetup: ['test/setup/globalSetup.ts'],
    // Waits that poll (expect.poll, Testing Library's waitFor/findBy) give up after 15 s, not the 1 s
    // defaults: on a busy 2-core machine a 1 s deadline is a coin toss (see README "Tests").
    expect: { poll: { timeout: 15_000, interval: 50 } },
    setupFiles: ['test/setup/patience.ts'],
    reporters: ['default'],
  },
});

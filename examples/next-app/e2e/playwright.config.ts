import { defineConfig } from '@playwright/test';

// Started by scripts/example.mjs --e2e, which builds and starts the app and the API server and
// passes their origins. Debian's chromium, never a downloaded browser.
export default defineConfig({
  testDir: '.',
  outputDir: './artifacts/test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  // One retry in CI: real browsers, real timers and 2 shared cores; Playwright still reports a retried pass as "flaky".
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});

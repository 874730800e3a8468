import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers and processes; give them room, never sleep.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Builds dist/ once, so integration tests can run the real `posture` CLI.
    globalSetup: ['test/global-setup.ts'],
  },
})

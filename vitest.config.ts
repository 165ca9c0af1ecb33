import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/testing/test/**/*.test.ts"],
    globalSetup: ["packages/testing/src/globalSetup.ts"],
    setupFiles: ["packages/testing/src/setup.ts"],
    reporters: ["default", "./packages/testing/src/summaryReporter.ts"],
    testTimeout: 30_000,
    // expect.poll waits for something to come true; Vitest's default gives it 1 s, which a browser
    // upload or a history page can take on a loaded 2-core machine (two CI failures under load 12).
    // Only a failing poll runs longer for it.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 60_000,
    // argon2 and DynamoDB Local share two cores: two test files at a time keeps timings sane.
    maxWorkers: 2,
  },
});

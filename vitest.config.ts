import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/testing/test/**/*.test.ts"],
    globalSetup: ["packages/testing/src/globalSetup.ts"],
    setupFiles: ["packages/testing/src/setup.ts"],
    reporters: ["default", "./packages/testing/src/summaryReporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // argon2 and DynamoDB Local share two cores: two test files at a time keeps timings sane.
    maxWorkers: 2,
  },
});

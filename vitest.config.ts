import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    reporters: ["default", "./test/summaryReporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // argon2 and DynamoDB Local share two cores: two test files at a time keeps timings sane.
    maxWorkers: 2,
  },
});

/**
 * Runs before every test file (vitest.config.ts `setupFiles`). Accounts are made by the thousand
 * in a run: their password hashes use argon2id at a test cost (core auth/passwordHashing.ts says
 * why; `npm start`, spawned by the local tests, and the Lambdas keep the production cost).
 */
import { setPasswordCostForTests } from "@agorusta/core/auth";

setPasswordCostForTests({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

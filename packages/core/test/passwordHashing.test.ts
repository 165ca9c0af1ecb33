/**
 * The production cost of a password hash: the test run hashes at a lower one (packages/testing
 * setup.ts), so this checks, on a copy of the module that setup never touched, that the code
 * `npm start` and the Lambdas run hashes at argon2id's m=64 MiB, t=3, p=4.
 */
import { expect, it, vi } from "vitest";

/** The cost a PHC-format hash names (`$argon2id$v=19$m=…,t=…,p=…$…`, its parameters in any order). */
const costOf = (hash: string) => {
  const [, kind, , params] = hash.split("$");
  return { kind, ...Object.fromEntries(params!.split(",").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])])) };
};

it("hashes with argon2id at the production cost unless a test run lowered it, and verifies hashes of either cost", async () => {
  const lowered = await import("../src/auth/passwordHashing.ts");
  vi.resetModules();
  const pristine = await import("../src/auth/passwordHashing.ts");
  expect(pristine).not.toBe(lowered);

  const strong = await pristine.hashPassword("correct horse battery");
  expect(costOf(strong)).toEqual({ kind: "argon2id", m: 65_536, t: 3, p: 4 });
  expect(pristine.PRODUCTION_COST).toEqual({ memoryCost: 65_536, timeCost: 3, parallelism: 4 });

  const light = await lowered.hashPassword("correct horse battery");
  expect(costOf(light)).toEqual({ kind: "argon2id", m: 1024, t: 1, p: 1 });
  for (const hash of [strong, light]) {
    expect(await pristine.verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await pristine.verifyPassword(hash, "correct horse batterY")).toBe(false);
  }
});

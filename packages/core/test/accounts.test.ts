import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/index.ts";
import { register } from "../src/accounts/account.ts";
import { freshDb, uniqueName } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

const password = "correct horse battery";
const outcomes = (results: PromiseSettledResult<unknown>[]) => ({
  won: results.filter((r) => r.status === "fulfilled").length,
  lost: results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { code?: string }).code] : [])),
});

describe("registration under concurrency", () => {
  it("gives one email, claimed ten times at once in different cases, to exactly one account", async () => {
    const email = `${uniqueName("race")}@example.com`;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        register(db, { email: i % 2 ? email.toUpperCase() : email, username: uniqueName("r"), password }),
      ),
    );
    expect(outcomes(results)).toEqual({ won: 1, lost: Array(9).fill("email_taken") });
  });

  it("gives one username, claimed ten times at once in different cases, to exactly one account", async () => {
    const username = uniqueName("Race");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        register(db, { email: `${uniqueName("e")}@example.com`, username: i % 2 ? username.toUpperCase() : username.toLowerCase(), password }),
      ),
    );
    expect(outcomes(results)).toEqual({ won: 1, lost: Array(9).fill("username_taken") });
  });
});

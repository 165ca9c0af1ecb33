import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/index.ts";
import type { WriteEntities } from "../src/model/index.ts";
import { transact } from "../src/store/transactions.ts";
import { register } from "../src/accounts/account.ts";
import { freshDb } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

const claim = (e: WriteEntities, kind: "email" | "username", value: string) =>
  e.uniques.create({ kind, value, holderId: "someone" }).commit();

describe("a transaction's refusals", () => {
  it("are named by the write whose condition failed, whatever its place in the list", async () => {
    await db.entities.uniques.create({ kind: "email", value: "taken@example.com", holderId: "first" }).go();
    const takenFirst = await transact(db, (e) => ({
      taken: claim(e, "email", "taken@example.com"),
      free: claim(e, "username", "free"),
    }));
    const takenLast = await transact(db, (e) => ({
      free: claim(e, "username", "free"),
      taken: claim(e, "email", "taken@example.com"),
    }));
    expect([...takenFirst]).toEqual(["taken"]);
    expect([...takenLast]).toEqual(["taken"]);
    // Neither wrote anything: the free name is still free.
    expect((await db.entities.uniques.get({ kind: "username", value: "free" }).go()).data).toBeNull();
  });

  it("name every write refused at once", async () => {
    await db.entities.uniques.create({ kind: "username", value: "both", holderId: "first" }).go();
    await db.entities.uniques.create({ kind: "email", value: "both@example.com", holderId: "first" }).go();
    const refused = await transact(db, (e) => ({
      username: claim(e, "username", "both"),
      email: claim(e, "email", "both@example.com"),
    }));
    expect(new Set(refused)).toEqual(new Set(["username", "email"]));
  });

  it("are none when the transaction commits", async () => {
    const refused = await transact(db, (e) => ({ guard: claim(e, "username", "committed") }));
    expect(refused.size).toBe(0);
    expect((await db.entities.uniques.get({ kind: "username", value: "committed" }).go()).data?.holderId).toBe("someone");
  });
});

describe("registering", () => {
  it("answers email_taken for a taken email and username_taken for a taken username, each by its own guard", async () => {
    await register(db, { email: "ada@example.com", username: "ada", password: "correct horse battery" });
    await expect(register(db, { email: "ADA@example.com", username: "other", password: "correct horse battery" })).rejects.toMatchObject({
      code: "email_taken",
    });
    await expect(register(db, { email: "other@example.com", username: "ADA", password: "correct horse battery" })).rejects.toMatchObject({
      code: "username_taken",
    });
    // Both taken: the email is what the person is told about, as before the writes were named.
    await expect(register(db, { email: "ada@example.com", username: "ada", password: "correct horse battery" })).rejects.toMatchObject({
      code: "email_taken",
    });
  });
});

/**
 * Lists others can inflate are paged (issue 15, "Unbounded reads"): a user's DM list (anyone may
 * open a conversation with them) and a server's invites (any member may create them).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});
const ids = (body: { id?: string; code?: string }[]) => body.map((x) => x.id ?? x.code);

describe("GET /dms?limit&before", () => {
  it("pages the inbox, most recent activity first: 50 by default, `before` resuming after that conversation", async () => {
    const me = await t.user();
    const others = await Promise.all(Array.from({ length: 55 }, () => t.user()));
    const opened: string[] = [];
    for (const o of others) opened.push((await t.call("POST", "/dms", { token: o.token, body: { userId: me.id } })).body.id);
    // Activity moves one conversation to the top.
    await t.call("POST", `/dms/${opened[3]}/messages`, { token: me.token, body: { content: "hi" } });
    const newestFirst = [opened[3], ...opened.filter((_, i) => i !== 3).reverse()];

    const first = await t.call("GET", "/dms", { token: me.token });
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual(newestFirst.slice(0, 50));
    const rest = await t.call("GET", `/dms?before=${first.body[49].id}`, { token: me.token });
    expect(ids(rest.body)).toEqual(newestFirst.slice(50));
    const small = await t.call("GET", `/dms?limit=2&before=${opened[3]}`, { token: me.token });
    expect(ids(small.body)).toEqual(newestFirst.slice(1, 3));
    expect((await t.call("GET", `/dms?limit=100`, { token: me.token })).body).toHaveLength(55);
  }, 60_000);

  it.each([
    ["limit=0", "?limit=0"],
    ["limit=101", "?limit=101"],
    ["a malformed before", "?before=nope"],
    ["a conversation of others", "?before=01ARZ3NDEKTSV4RRFFQ69G5FAV"],
  ])("answers 400 for %s", async (_, query) => {
    const me = await t.user();
    expect((await t.call("GET", `/dms${query}`, { token: me.token })).status).toBe(400);
  });
});

describe("GET /servers/:id/invites?limit&after", () => {
  it("pages the invites, newest first: 100 by default, `after` resuming after that code", async () => {
    const s = await t.server();
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code);
    const newestFirst = [...codes].reverse();
    const all = await t.call("GET", `/servers/${s.id}/invites`, { token: s.owner.token });
    expect(ids(all.body)).toEqual(newestFirst);
    const first = await t.call("GET", `/servers/${s.id}/invites?limit=3`, { token: s.owner.token });
    expect(ids(first.body)).toEqual(newestFirst.slice(0, 3));
    const next = await t.call("GET", `/servers/${s.id}/invites?limit=3&after=${first.body[2].code}`, { token: s.owner.token });
    expect(ids(next.body)).toEqual(newestFirst.slice(3, 6));
    const other = await t.server();
    const foreign = (await t.call("POST", `/servers/${other.id}/invites`, { token: other.owner.token, body: {} })).body.code;
    expect((await t.call("GET", `/servers/${s.id}/invites?after=${foreign}`, { token: s.owner.token })).status).toBe(400);
    expect((await t.call("GET", `/servers/${s.id}/invites?limit=101`, { token: s.owner.token })).status).toBe(400);
  });
});

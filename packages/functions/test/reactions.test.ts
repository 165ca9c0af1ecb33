/** Reactions over HTTP: emoji validity, idempotent PUT/DELETE, counts and order, `me`, the 20-emoji limit, who reacted. */
import { beforeAll, describe, expect, it } from "vitest";
import { testApiWithServer, type TestApi, type TestServer } from "@agorusta/testing";

let t: TestApi;
let s: TestServer;
let base: string;
beforeAll(async () => {
  // One member toggles dozens of reactions here: the reaction rate limit has its own test (usageLimits.test.ts).
  ({ t, s } = await testApiWithServer({ usageLimits: "off" }));
  base = `/servers/${s.id}/channels/${s.channelId}/messages`;
});

type Token = { token: string };
const post = async (u: Token, content = "react to me", at = base) => {
  const res = await t.call("POST", at, { token: u.token, body: { content } });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const react = (u: Token, mid: string, emoji: string, method: "PUT" | "DELETE" = "PUT", at = base) =>
  t.call(method, `${at}/${mid}/reactions/${encodeURIComponent(emoji)}/me`, { token: u.token });
const message = async (u: Token, mid: string, at = base) => {
  const page = await t.call("GET", `${at}?limit=100`, { token: u.token });
  return page.body.find((m: { id: string }) => m.id === mid);
};

describe("which emoji", () => {
  const valid: [string, string][] = [
    ["a pictograph", "👍"],
    ["a pictograph with a skin tone", "👍🏽"],
    ["a ZWJ family", "👩‍👩‍👧‍👦"],
    ["a ZWJ profession with a skin tone", "👩🏾‍🚀"],
    ["a flag", "🇫🇷"],
    ["a subdivision flag (tag sequence)", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"],
    ["a keycap", "#️⃣"],
    ["a digit keycap", "1️⃣"],
    ["a presentation-selected symbol", "❤️"],
    ["the rainbow flag", "🏳️‍🌈"],
  ];
  const invalid: [string, string][] = [
    ["letters", "ab"],
    ["a letter", "a"],
    ["a digit", "1"],
    ["two emoji", "👍👍"],
    ["an emoji and text", "👍a"],
    ["a bare skin tone", "🏽"],
    ["a bare hair component", "🦰"],
    ["a lone regional indicator", "🇫"],
    ["a keycap base without its keycap", "#"],
    ["text with a space", "👍 "],
    ["a text-style heart (no VS16)", "❤"],
    ["a long string", "👍".repeat(40)],
  ];
  let mid: string;
  beforeAll(async () => {
    mid = await post(s.owner);
  });
  it.each(valid)("accepts %s (%s)", async (_, emoji) => {
    expect((await react(s.owner, mid, emoji)).status).toBe(204);
  });
  it.each(invalid)("refuses %s (%s) with 400", async (_, emoji) => {
    const res = await react(s.owner, mid, emoji);
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", issues: [{ path: "emoji" }] } } });
    expect((await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent(emoji)}`, { token: s.owner.token })).status).toBe(400);
  });
  it("shows every accepted emoji on the message, in the order added", async () => {
    expect((await message(s.owner, mid)).reactions.map((r: { emoji: string }) => r.emoji)).toEqual(valid.map(([, e]) => e));
  });
});

describe("adding and removing", () => {
  it("counts each user once; PUT again and DELETE of nothing are 204 with no change; me follows the caller", async () => {
    const m = await t.member(s);
    const mid = await post(s.owner);
    expect((await message(s.owner, mid)).reactions).toEqual([]);
    expect((await react(s.owner, mid, "👍")).status).toBe(204);
    expect((await react(s.owner, mid, "👍")).status).toBe(204);
    expect((await react(m, mid, "👍")).status).toBe(204);
    expect((await react(m, mid, "🎉")).status).toBe(204);
    expect((await message(s.owner, mid)).reactions).toEqual([
      { emoji: "👍", count: 2, me: true },
      { emoji: "🎉", count: 1, me: false },
    ]);
    expect((await message(m, mid)).reactions).toEqual([
      { emoji: "👍", count: 2, me: true },
      { emoji: "🎉", count: 1, me: true },
    ]);
    expect((await react(s.owner, mid, "🎉", "DELETE")).status).toBe(204);
    expect((await react(s.owner, mid, "👍", "DELETE")).status).toBe(204);
    expect((await react(s.owner, mid, "👍", "DELETE")).status).toBe(204);
    expect((await message(s.owner, mid)).reactions).toEqual([
      { emoji: "👍", count: 1, me: false },
      { emoji: "🎉", count: 1, me: false },
    ]);
    // The last one gone: the emoji leaves the list, and comes back at its end.
    expect((await react(m, mid, "👍", "DELETE")).status).toBe(204);
    expect((await react(m, mid, "👍")).status).toBe(204);
    expect((await message(m, mid)).reactions.map((r: { emoji: string }) => r.emoji)).toEqual(["🎉", "👍"]);
  });

  it("tells 👍 from 👍🏽", async () => {
    const mid = await post(s.owner);
    await react(s.owner, mid, "👍🏽");
    expect((await message(s.owner, mid)).reactions).toEqual([{ emoji: "👍🏽", count: 1, me: true }]);
    const who = await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👍")}`, { token: s.owner.token });
    expect(who).toMatchObject({ status: 200, body: [] });
  });

  it("counts every one of many concurrent reactions exactly once", async () => {
    const mid = await post(s.owner);
    const people = await Promise.all(Array.from({ length: 8 }, () => t.member(s)));
    const results = await Promise.all(people.flatMap((p) => [react(p, mid, "🔥"), react(p, mid, "🚀")]));
    expect(results.every((r) => r.status === 204)).toBe(true);
    const reactions = (await message(s.owner, mid)).reactions;
    expect(reactions.map((r: { count: number }) => r.count)).toEqual([8, 8]);
  });

  it("takes 20 different emoji and refuses a 21st with 400; one already there is still fine", async () => {
    const mid = await post(s.owner);
    const twenty = [..."😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂"];
    expect(twenty).toHaveLength(20);
    for (const e of twenty) expect((await react(s.owner, mid, e)).status).toBe(204);
    const res = await react(s.owner, mid, "🤗");
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    const m = await t.member(s);
    expect((await react(m, mid, "😀")).status).toBe(204);
    expect((await message(s.owner, mid)).reactions).toHaveLength(20);
  });

  it("is 404 for an unknown message, and for a non-member", async () => {
    expect((await react(s.owner, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "👍")).status).toBe(404);
    const mid = await post(s.owner);
    const stranger = await t.user();
    expect((await react(stranger, mid, "👍")).status).toBe(404);
    expect((await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👍")}`, { token: stranger.token })).status).toBe(404);
  });

  it("grows the message's revision with each change", async () => {
    const mid = await post(s.owner);
    const revision = async () => (await t.deps.db.entities.messages.get({ channelId: s.channelId, messageId: mid }).go()).data?.revision ?? 1;
    expect(await revision()).toBe(1);
    await react(s.owner, mid, "👍");
    expect(await revision()).toBe(2);
    await react(s.owner, mid, "👍"); // no change
    expect(await revision()).toBe(2);
    await react(s.owner, mid, "👍", "DELETE");
    expect(await revision()).toBe(3);
  });

  it("deleting the message deletes its reactions", async () => {
    const mid = await post(s.owner);
    await react(s.owner, mid, "👍");
    expect((await t.call("DELETE", `${base}/${mid}`, { token: s.owner.token })).status).toBe(204);
    const left = await t.deps.db.entities.reactions.query.byMessage({ conversationId: s.channelId, messageId: mid }).go();
    expect(left.data).toEqual([]);
  });
});

describe("GET …/reactions/:emoji", () => {
  it("lists who reacted, in user-id order, paged by limit and after", async () => {
    const mid = await post(s.owner);
    const people = await Promise.all(Array.from({ length: 5 }, () => t.member(s)));
    for (const p of people) await react(p, mid, "👀");
    const ids = people.map((p) => p.id).sort();
    const all = await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👀")}`, { token: s.owner.token });
    expect(all.status).toBe(200);
    expect(all.body.map((u: { id: string }) => u.id)).toEqual(ids);
    expect(all.body[0]).toEqual({ id: ids[0], username: expect.any(String), createdAt: expect.any(String), avatarUrl: null, bot: false });
    const first = await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👀")}?limit=2`, { token: s.owner.token });
    expect(first.body.map((u: { id: string }) => u.id)).toEqual(ids.slice(0, 2));
    const next = await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👀")}?limit=2&after=${ids[1]}`, { token: s.owner.token });
    expect(next.body.map((u: { id: string }) => u.id)).toEqual(ids.slice(2, 4));
    for (const q of ["limit=0", "limit=101", "limit=x", "after=nope"]) {
      expect((await t.call("GET", `${base}/${mid}/reactions/${encodeURIComponent("👀")}?${q}`, { token: s.owner.token })).status).toBe(400);
    }
  });
});

describe("DM reactions", () => {
  it("work for both participants only, with me per caller", async () => {
    const [a, b, stranger] = [await t.user(), await t.user(), await t.user()];
    const dm = await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } });
    const at = `/dms/${dm.body.id}/messages`;
    const mid = await post(a, "hi", at);
    expect((await react(b, mid, "❤️", "PUT", at)).status).toBe(204);
    expect((await react(stranger, mid, "❤️", "PUT", at)).status).toBe(404);
    expect((await react(a, mid, "no", "PUT", at)).status).toBe(400);
    expect((await message(a, mid, at)).reactions).toEqual([{ emoji: "❤️", count: 1, me: false }]);
    expect((await message(b, mid, at)).reactions).toEqual([{ emoji: "❤️", count: 1, me: true }]);
    const who = await t.call("GET", `${at}/${mid}/reactions/${encodeURIComponent("❤️")}`, { token: a.token });
    expect(who.body.map((u: { id: string }) => u.id)).toEqual([b.id]);
    expect((await react(b, mid, "❤️", "DELETE", at)).status).toBe(204);
    expect((await message(a, mid, at)).reactions).toEqual([]);
  });
});

/**
 * Issue 15's input rules: names are NFC and hold no control, bidi or zero-width characters;
 * message content is capped in graphemes and in bytes; a history page holds `limit` messages
 * whenever that many exist, however large they are (a Query stops at 1 MB).
 */
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { messageLimits } from "@agorusta/core/schemas";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const hidden: [string, string][] = [
  ["a right-to-left override", "invoice\u202Egpj.exe"],
  ["a left-to-right isolate", "a\u2066b"],
  ["a zero-width space", "ad\u200Bmin"],
  ["a zero-width joiner between letters", "ad\u200Dmin"],
  ["a byte-order mark inside", "ad\uFEFFmin"],
  ["a soft hyphen", "ad\u00ADmin"],
  ["a newline", "two\nlines"],
  ["an escape", "bell\u0007"],
  ["a NUL", "nul\u0000"],
  ["a line separator", "a\u2028b"],
];

describe("names", () => {
  it.each(hidden)("refuses a server name with %s (400, on name)", async (_, name) => {
    const u = await t.user();
    const res = await t.call("POST", "/servers", { token: u.token, body: { name } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "name" }] });
  });

  it.each(hidden)("refuses a channel name with %s (400, on name)", async (_, name) => {
    const s = await t.server();
    const res = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "name" }] });
  });

  it.each([
    ["a right-to-left override", "bob\u202E"],
    ["a zero-width space", "bo\u200Bb"],
  ])("refuses a username with %s", async (_, username) => {
    const res = await t.call("POST", "/auth/register", { body: { email: `${Date.now()}@example.com`, username, password: "correct horse battery" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("username");
  });

  it("stores names in NFC, so one name typed two ways is one name", async () => {
    const u = await t.user();
    const decomposed = `Cafe\u0301 ${Date.now()}`; // "é" as e + combining acute
    const composed = decomposed.normalize("NFC");
    const created = await t.call("POST", "/servers", { token: u.token, body: { name: decomposed } });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(composed);
    const again = await t.call("POST", "/servers", { token: u.token, body: { name: composed } });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "server_name_taken" } } });
    const channel = await t.call("POST", `/servers/${created.body.id}/channels`, { token: u.token, body: { name: "re\u0301sume\u0301" } });
    expect(channel.body.name).toBe("résumé".normalize("NFC"));
  });

  it("still accepts emoji written with a zero-width joiner, and right-to-left scripts", async () => {
    const u = await t.user();
    for (const name of [`👩‍💻 coders ${Date.now()}`, `שלום ${Date.now()}`, `مرحبا ${Date.now()}`]) {
      const res = await t.call("POST", "/servers", { token: u.token, body: { name } });
      expect(res.status, name).toBe(201);
      expect(res.body.name).toBe(name);
    }
  });
});

describe("message content", () => {
  it(`accepts ${messageLimits.bytes} bytes of UTF-8 and refuses one more, though far under 4000 characters`, async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    // 👍🏽 (thumbs up with a skin tone) is one grapheme of 8 bytes: 2048 of them are exactly 16 KiB.
    const fits = "👍🏽".repeat(messageLimits.bytes / 8);
    expect(Buffer.byteLength(fits)).toBe(messageLimits.bytes);
    expect((await t.call("POST", path, { token: s.owner.token, body: { content: fits } })).status).toBe(201);
    const over = await t.call("POST", path, { token: s.owner.token, body: { content: `${fits}a` } }); // 2049 graphemes, 16,385 bytes
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "content" }] });
    // The same cap on DMs and edits (one schema).
    const other = await t.user();
    const dm = (await t.call("POST", "/dms", { token: s.owner.token, body: { userId: other.id } })).body.id;
    expect((await t.call("POST", `/dms/${dm}/messages`, { token: s.owner.token, body: { content: `${fits}a` } })).status).toBe(400);
  });
});

describe("history pages", () => {
  it("hold `limit` messages when 100 messages of ~16 KiB (1.6 MB, over a Query's 1 MB) exist", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    // 4000 characters of 4 bytes each is 16,000 bytes: near the cap, in graphemes and bytes both.
    const big = (i: number) => `${String(i).padStart(3, "0")} ${"😀".repeat(3995)}`;
    const sent: string[] = [];
    // 100 messages in a row are over the 20-per-10-s limit: posted as a load test would be.
    const limits = t.deps.usageLimits;
    t.deps.usageLimits = "off";
    onTestFinished(() => void (t.deps.usageLimits = limits));
    for (let i = 0; i < 100; i++) {
      const res = await t.call("POST", path, { token: s.owner.token, body: { content: big(i) } });
      expect(res.status).toBe(201);
      sent.push(res.body.id);
    }
    const page = await t.call("GET", `${path}?limit=100`, { token: s.owner.token });
    expect(page.status).toBe(200);
    expect(page.body.map((m: { id: string }) => m.id)).toEqual(sent);
    // Paging back from the middle, and forward (catch-up), fill their pages too.
    const older = await t.call("GET", `${path}?limit=90&before=${sent[95]}`, { token: s.owner.token });
    expect(older.body.map((m: { id: string }) => m.id)).toEqual(sent.slice(5, 95));
    const newer = await t.call("GET", `${path}?limit=90&after=${sent[4]}`, { token: s.owner.token });
    expect(newer.body.map((m: { id: string }) => m.id)).toEqual(sent.slice(5, 95));

    // DMs page the same way.
    const other = await t.user();
    const dm = (await t.call("POST", "/dms", { token: s.owner.token, body: { userId: other.id } })).body.id;
    const dmSent: string[] = [];
    for (let i = 0; i < 100; i++) dmSent.push((await t.call("POST", `/dms/${dm}/messages`, { token: s.owner.token, body: { content: big(i) } })).body.id);
    const dmPage = await t.call("GET", `/dms/${dm}/messages?limit=100`, { token: other.token });
    expect(dmPage.body.map((m: { id: string }) => m.id)).toEqual(dmSent);
  }, 120_000);
});

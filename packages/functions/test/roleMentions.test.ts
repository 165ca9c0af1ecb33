/**
 * Role mentions (api.md "Role mentions"): `@rolename` fills `Message.mentionRoles` and counts in
 * the mention counts of the role's members, when the role is mentionable or the author has
 * `MENTION_EVERYONE`; a member named and mentioned by role in one message counts once. Also the
 * `X-Audit-Log-Reason` of a moderator's deletion of someone else's message.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const MENTION_EVERYONE = (1n << 17n).toString();

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});
beforeEach(() => publisher.clear());

/** A server with a mentionable role "Night Crew" and a plain one "Quiet", each held by a member of its own; an author holding neither. */
async function crewed() {
  const s = await t.server();
  const [crew, quiet, author, bystander] = [await t.member(s), await t.member(s), await t.member(s), await t.member(s)];
  const role = async (body: object) => (await t.call("POST", `/servers/${s.id}/roles`, { token: s.owner.token, body })).body as { id: string };
  const nightCrew = await role({ name: "Night Crew", mentionable: true });
  const quietRole = await role({ name: "Quiet" });
  const give = async (u: TestUser, r: { id: string }) =>
    expect((await t.call("PUT", `/servers/${s.id}/members/${u.id}/roles/${r.id}`, { token: s.owner.token })).status).toBe(204);
  await give(crew, nightCrew);
  await give(quiet, quietRole);
  const base = `/servers/${s.id}/channels/${s.channelId}`;
  const send = async (content: string, who: { token: string } = author) => {
    const res = await t.call("POST", `${base}/messages`, { token: who.token, body: { content } });
    expect(res.status).toBe(201);
    return res.body as { id: string; mentions: string[]; mentionRoles: string[] };
  };
  return { s, crew, quiet, author, bystander, nightCrew, quietRole, base, send, give, role };
}

const mentionCountOf = async (s: TestServer, user: { token: string }) =>
  ((await t.call("GET", "/read-states", { token: user.token })).body as { channelId: string; mentionCount: number }[]).find((r) => r.channelId === s.channelId)!
    .mentionCount;

describe("role mentions", () => {
  it("a mentionable role, named case-insensitively, mentions its members only; mentionRoles shows in history, the feed and events", async () => {
    const { s, crew, quiet, author, bystander, nightCrew, base, send } = await crewed();
    const m = await send("calling @NIGHT CREW, tonight");
    expect(m.mentionRoles).toEqual([nightCrew.id]);
    expect(await mentionCountOf(s, crew)).toBe(1);
    for (const u of [quiet, author, bystander, s.owner]) expect(await mentionCountOf(s, u)).toBe(0);

    const history = (await t.call("GET", `${base}/messages`, { token: bystander.token })).body as { id: string; mentionRoles: string[] }[];
    expect(history.find((x) => x.id === m.id)!.mentionRoles).toEqual([nightCrew.id]);
    const head = (await t.call("GET", `${base}/changes`, { token: crew.token })).body.cursor;
    await send("plain words");
    const changes = (await t.call("GET", `${base}/changes?since=${encodeURIComponent(head)}`, { token: crew.token })).body.changes as any[];
    expect(changes.map((c) => c.message.mentionRoles)).toEqual([[]]);

    const events = publisher.sent.flatMap((p) => ("event" in p ? [p.event as any] : []));
    expect(events.find((e) => e.type === "new_message" && e.message.id === m.id)?.message.mentionRoles).toEqual([nightCrew.id]);
    expect(events.find((e) => e.type === "channel_activity" && e.messageId === m.id)?.mentionRoles).toEqual([nightCrew.id]);
  });

  it("a role that is not mentionable is plain text from a member without MENTION_EVERYONE, and mentions from one with it", async () => {
    const { s, quiet, author, quietRole, send, give, role } = await crewed();
    expect((await send("hush @quiet")).mentionRoles).toEqual([]);
    expect(await mentionCountOf(s, quiet)).toBe(0);
    // The owner holds every permission; a member holds MENTION_EVERYONE through a role.
    expect((await send("hush @quiet", s.owner)).mentionRoles).toEqual([quietRole.id]);
    expect(await mentionCountOf(s, quiet)).toBe(1);
    await give(author, await role({ name: "Herald", permissions: MENTION_EVERYONE }));
    expect((await send("hush @Quiet")).mentionRoles).toEqual([quietRole.id]);
    expect(await mentionCountOf(s, quiet)).toBe(2);
  });

  it("a member named and mentioned by role in one message counts it once", async () => {
    const { s, crew, nightCrew, send } = await crewed();
    const m = await send(`@${crew.username} and @night crew`);
    expect(m.mentions).toEqual([crew.id]);
    expect(m.mentionRoles).toEqual([nightCrew.id]);
    expect(await mentionCountOf(s, crew)).toBe(1);
    // The same through PUT …/read's answer (the count after a read position).
    const before = await send("first");
    const res = await t.call("PUT", `/servers/${s.id}/channels/${s.channelId}/read`, { token: crew.token, body: { messageId: before.id } });
    expect(res.body.mentionCount).toBe(0);
    await send(`@night crew @${crew.username} @everyone`, s.owner);
    expect(await mentionCountOf(s, crew)).toBe(1);
  });

  it("the longest role name wins, a name does not run into a word, and @everyone is not a role", async () => {
    const { s, send, role } = await crewed();
    const mod = await role({ name: "mod", mentionable: true });
    const modTeam = await role({ name: "Mod Team", mentionable: true });
    expect((await send("ask @mod team please")).mentionRoles).toEqual([modTeam.id]);
    expect((await send("ask @mod, or @mod team, or @mod")).mentionRoles).toEqual([mod.id, modTeam.id]);
    expect((await send("ask @mods or mail a@mod")).mentionRoles).toEqual([]);
    expect((await send("@@everyone @everyone", s.owner)).mentionRoles).toEqual([]);
  });

  it("an edit that drops the role mention, or the message's deletion, takes the count back", async () => {
    const { s, crew, base, send, author } = await crewed();
    const m = await send("@night crew up");
    expect(await mentionCountOf(s, crew)).toBe(1);
    const edited = await t.call("PATCH", `${base}/messages/${m.id}`, { token: author.token, body: { content: "never mind" } });
    expect(edited.body.mentionRoles).toEqual([]);
    expect(await mentionCountOf(s, crew)).toBe(0);
    await t.call("PATCH", `${base}/messages/${m.id}`, { token: author.token, body: { content: "@night crew after all" } });
    expect(await mentionCountOf(s, crew)).toBe(1);
    expect((await t.call("DELETE", `${base}/messages/${m.id}`, { token: author.token })).status).toBe(204);
    expect(await mentionCountOf(s, crew)).toBe(0);
  });

  it("a role taken away no longer counts; a DM message has no mentionRoles", async () => {
    const { s, crew, nightCrew, send } = await crewed();
    await send("@night crew go");
    expect(await mentionCountOf(s, crew)).toBe(1);
    await t.call("DELETE", `/servers/${s.id}/members/${crew.id}/roles/${nightCrew.id}`, { token: s.owner.token });
    expect(await mentionCountOf(s, crew)).toBe(0);
    const dm = (await t.call("POST", "/dms", { token: crew.token, body: { userId: s.owner.id } })).body.id;
    const sent = (await t.call("POST", `/dms/${dm}/messages`, { token: crew.token, body: { content: "@night crew" } })).body;
    expect(sent).not.toHaveProperty("mentionRoles");
  });
});

describe("X-Audit-Log-Reason on deleting someone else's message", () => {
  it("is kept in the audit entry; a bad one is 400 and deletes nothing", async () => {
    const { s, base, send } = await crewed();
    const m = await send("spam spam");
    const bad = await t.call("DELETE", `${base}/messages/${m.id}`, { token: s.owner.token, headers: { "X-Audit-Log-Reason": "%E0%A4%A" } });
    expect(bad.status).toBe(400);
    expect((await t.call("GET", `${base}/messages`, { token: s.owner.token })).body.map((x: { id: string }) => x.id)).toContain(m.id);
    const ok = await t.call("DELETE", `${base}/messages/${m.id}`, { token: s.owner.token, headers: { "X-Audit-Log-Reason": encodeURIComponent("spam, twice") } });
    expect(ok.status).toBe(204);
    const log = (await t.call("GET", `/servers/${s.id}/audit-log?actionType=message_delete`, { token: s.owner.token })).body as any[];
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ action: "message_delete", reason: "spam, twice" });
  });
});

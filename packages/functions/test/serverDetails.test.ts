/**
 * `GET /servers?include=details` (issue 27 item 3): every server of the caller's with its details
 * in one request, each element exactly what `GET /servers/:id` answers (hidden channels stay
 * hidden), for a DynamoDB cost that grows by one Query per server; `GET /servers` unchanged.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import { PERMISSIONS, toWire } from "@agorusta/core/permissions";
import { BATCH_GET_KEYS } from "@agorusta/core/store";
import { listMyServerDetails } from "@agorusta/core/servers";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const VIEW = toWire(PERMISSIONS.VIEW_CHANNEL);

async function join(s: TestServer, u: TestUser): Promise<void> {
  const invite = await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} });
  expect((await t.call("POST", `/invites/${invite.body.code}/join`, { token: u.token })).status).toBe(200);
}

/** What the caller's servers are, one `GET /servers/:id` each, in the order `GET /servers` lists them. */
async function oneByOne(u: TestUser) {
  const list = await t.call("GET", "/servers", { token: u.token });
  return Promise.all(list.body.map(async (s: { id: string }) => (await t.call("GET", `/servers/${s.id}`, { token: u.token })).body));
}

describe("GET /servers?include=details", () => {
  it("answers each server as GET /servers/:id does, hidden channels hidden, a server one was kicked from absent", async () => {
    const me = await t.user();
    const mine = await t.server(me);
    const open = await t.server();
    const guarded = await t.server();
    const kickedFrom = await t.server();
    for (const s of [open, guarded, kickedFrom]) await join(s, me);
    // In `guarded`: one channel nobody but staff may view (@everyone denied), one I am let into by a member overwrite.
    const hidden = await t.call("POST", `/servers/${guarded.id}/channels`, {
      token: guarded.owner.token,
      body: { name: "staff", overwrites: [{ id: guarded.id, type: "role", allow: "0", deny: VIEW }] },
    });
    const letIn = await t.call("POST", `/servers/${guarded.id}/channels`, {
      token: guarded.owner.token,
      body: { name: "guests", overwrites: [{ id: guarded.id, type: "role", allow: "0", deny: VIEW }, { id: me.id, type: "member", allow: VIEW, deny: "0" }] },
    });
    expect([hidden.status, letIn.status]).toEqual([201, 201]);
    // A newest message to show as `lastMessageId`.
    const sent = await t.call("POST", `/servers/${open.id}/channels/${open.channelId}/messages`, { token: open.owner.token, body: { content: "hello" } });
    expect(sent.status).toBe(201);
    expect((await t.call("DELETE", `/servers/${kickedFrom.id}/members/${me.id}`, { token: kickedFrom.owner.token })).status).toBe(204);

    const res = await t.call("GET", "/servers?include=details", { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(await oneByOne(me));
    expect(res.body.map((s: { id: string }) => s.id)).toEqual([mine.id, open.id, guarded.id]);
    const guardedChannels = res.body[2].channels.map((c: { id: string }) => c.id);
    expect(guardedChannels).toContain(letIn.body.id);
    expect(guardedChannels).not.toContain(hidden.body.id);
    expect(res.body[1].channels[0].lastMessageId).toBe(sent.body.id);
    // The owner of `guarded` sees the staff channel: the answer is the caller's, not the server's.
    const owners = await t.call("GET", "/servers?include=details", { token: guarded.owner.token });
    expect(owners.body[0].channels.map((c: { id: string }) => c.id)).toContain(hidden.body.id);
  });

  it("leaves GET /servers as it was without the parameter, and refuses another value with 400", async () => {
    const me = await t.user();
    const s = await t.server(me);
    const plain = await t.call("GET", "/servers", { token: me.token });
    expect(plain).toMatchObject({ status: 200, body: [{ id: s.id, name: s.name, ownerId: me.id, createdAt: expect.any(String), iconUrl: null }] });
    expect(Object.keys(plain.body[0]).sort()).toEqual(["createdAt", "iconUrl", "id", "name", "ownerId"]);
    expect(await t.call("GET", "/servers?include=everything", { token: me.token })).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(await t.call("GET", "/servers?include=details", { token: (await t.user()).token })).toMatchObject({ status: 200, body: [] });
    expect((await t.call("GET", "/servers?include=details")).status).toBe(401);
  });

  it("costs the session read, one Query of the memberships, one BatchGetItem per 100 and one Query per server", async () => {
    const counts = t.deps.dynamo.counts;
    const costFor = async (u: TestUser) => {
      for (const k of Object.keys(counts)) delete counts[k];
      expect((await t.call("GET", "/servers?include=details", { token: u.token })).status).toBe(200);
      return { ...counts };
    };
    const formula = (n: number) => ({ GetItem: 1, Query: 1 + n, ...(n ? { BatchGetItem: Math.ceil(n / BATCH_GET_KEYS) } : {}) });
    const me = await t.user();
    expect(await costFor(me)).toEqual(formula(0));
    const sizes = [1, 2, 6];
    for (const n of sizes) {
      const have = (await t.call("GET", "/servers", { token: me.token })).body.length;
      for (let i = have; i < n; i++) await join(await t.server(), me);
      const measured = await costFor(me);
      expect(measured, `${n} servers`).toEqual(formula(n));
      console.log(`GET /servers?include=details, ${n} servers: ${JSON.stringify(measured)}`);
    }
  });

  it("pages by visible channels: a full answer ends with the server that reached the bound, `after` its last gives the rest", async () => {
    const me = await t.user();
    const servers = [await t.server(me), await t.server(me), await t.server(me)];
    // Two visible channels each (general and one more).
    for (const s of servers) expect((await t.call("POST", `/servers/${s.id}/channels`, { token: me.token, body: { name: "more" } })).status).toBe(201);
    const ids = (list: { id: string }[]) => list.map((s) => s.id);
    // A bound of 3 channels: the second server brings the first answer to 4.
    const first = await listMyServerDetails(t.deps.db, me.id, undefined, undefined, 3);
    expect(ids(first)).toEqual([servers[0]!.id, servers[1]!.id]);
    const rest = await listMyServerDetails(t.deps.db, me.id, undefined, first.at(-1)!.id, 3);
    expect(ids(rest)).toEqual([servers[2]!.id]);
    expect([...first, ...rest]).toEqual(await oneByOne(me));
    // Through the API: `after` the first server, the other two (well under the real bound); `after` must be an id.
    expect(ids((await t.call("GET", `/servers?include=details&after=${servers[0]!.id}`, { token: me.token })).body)).toEqual([servers[1]!.id, servers[2]!.id]);
    expect(await t.call("GET", "/servers?include=details&after=nope", { token: me.token })).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });
});

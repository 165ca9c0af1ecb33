/** Avatars and server icons through the upload path: images only, 2 MiB, owner-only icons, and where the URLs show up. */
import { beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { testApi, type TestApi } from "@agorusta/testing";
import { png, putUpload } from "@agorusta/testing/files";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

type Token = { token: string };
const exists = async (key: string) =>
  t.deps.files.client.send(new HeadObjectCommand({ Bucket: t.deps.files.bucket, Key: key })).then(() => true, () => false);
const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.split("/").slice(2).join("/"));

async function uploaded(u: Token, path: string, bytes: Uint8Array, contentType = "image/png") {
  const res = await t.call("POST", path, { token: u.token, body: { filename: "me.png", contentType, size: bytes.length } });
  expect(res.status).toBe(201);
  expect(await putUpload(res.body, bytes)).toBe(200);
  return res.body.id as string;
}

describe("avatars", () => {
  it("POST declares, PUT sets (200 Me with avatarUrl), and the URL serves the image inline", async () => {
    const u = await t.user();
    const image = png(64, 64);
    const id = await uploaded(u, "/users/me/avatar", image);
    const set = await t.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: id } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ id: u.id, email: u.email, username: u.username, createdAt: u.createdAt, avatarUrl: expect.any(String), bot: false });
    const got = await fetch(set.body.avatarUrl);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("content-disposition")).toBe("inline");
    expect(Buffer.from(await got.arrayBuffer()).equals(image)).toBe(true);
    // The same URL on every read within the hour: browsers reuse what they cached.
    const me = await t.call("GET", "/auth/me", { token: u.token });
    expect(me.body.avatarUrl).toBe(set.body.avatarUrl);
  });

  it("shows the current avatar on the author of old messages, in member lists, search, DMs and reactions", async () => {
    const s = await t.server();
    const base = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const sent = await t.call("POST", base, { token: s.owner.token, body: { content: "before the avatar" } });
    expect(sent.body.author.avatarUrl).toBeNull();
    const id = await uploaded(s.owner, "/users/me/avatar", png(8, 8));
    const { avatarUrl } = (await t.call("PUT", "/users/me/avatar", { token: s.owner.token, body: { uploadId: id } })).body;
    const page = await t.call("GET", `${base}?limit=1`, { token: s.owner.token });
    expect(page.body[0].author.avatarUrl).toBe(avatarUrl);
    const members = await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token });
    expect(members.body[0].user.avatarUrl).toBe(avatarUrl);
    const other = await t.user();
    const search = await t.call("GET", `/users/search?q=${s.owner.username}`, { token: other.token });
    expect(search.body[0].avatarUrl).toBe(avatarUrl);
    const dm = await t.call("POST", "/dms", { token: other.token, body: { userId: s.owner.id } });
    expect(dm.body.participants.find((p: { id: string }) => p.id === s.owner.id).avatarUrl).toBe(avatarUrl);
    await t.call("PUT", `${base}/${sent.body.id}/reactions/${encodeURIComponent("👍")}/me`, { token: s.owner.token });
    const who = await t.call("GET", `${base}/${sent.body.id}/reactions/${encodeURIComponent("👍")}`, { token: s.owner.token });
    expect(who.body[0].avatarUrl).toBe(avatarUrl);
  });

  it("shows a banned user's current avatar in the server's ban list", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const id = await uploaded(m, "/users/me/avatar", png(8, 8));
    const { avatarUrl } = (await t.call("PUT", "/users/me/avatar", { token: m.token, body: { uploadId: id } })).body;
    const stranger = await t.user();
    for (const u of [m, stranger]) expect((await t.call("PUT", `/servers/${s.id}/bans/${u.id}`, { token: s.owner.token, body: {} })).status).toBe(204);
    const bans = (await t.call("GET", `/servers/${s.id}/bans`, { token: s.owner.token })).body as Array<{ user: { id: string; avatarUrl: string | null } }>;
    expect(Object.fromEntries(bans.map((b) => [b.user.id, b.user.avatarUrl]))).toEqual({ [m.id]: avatarUrl, [stranger.id]: null });
  });

  it("a new avatar gets a new URL and the old file goes; DELETE goes back to none", async () => {
    const u = await t.user();
    const first = (await t.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: await uploaded(u, "/users/me/avatar", png(4, 4)) } })).body.avatarUrl;
    const second = (await t.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: await uploaded(u, "/users/me/avatar", png(5, 5)) } })).body.avatarUrl;
    expect(keyOf(second)).not.toBe(keyOf(first));
    expect(await exists(keyOf(first))).toBe(false);
    expect(await exists(keyOf(second))).toBe(true);
    expect((await t.call("DELETE", "/users/me/avatar", { token: u.token })).status).toBe(204);
    expect((await t.call("GET", "/auth/me", { token: u.token })).body.avatarUrl).toBeNull();
    expect(await exists(keyOf(second))).toBe(false);
    expect((await t.call("DELETE", "/users/me/avatar", { token: u.token })).status).toBe(204);
  });

  it("refuses more than 2 MiB (413), anything but PNG, JPEG, GIF or WebP, and bytes that are not the image declared", async () => {
    const u = await t.user();
    const big = await t.call("POST", "/users/me/avatar", { token: u.token, body: { filename: "a.png", contentType: "image/png", size: 2 * 1024 * 1024 + 1 } });
    expect(big).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    expect((await t.call("POST", "/users/me/avatar", { token: u.token, body: { filename: "a.png", contentType: "image/png", size: 2 * 1024 * 1024 } })).status).toBe(201);
    for (const contentType of ["image/svg+xml", "text/html", "application/pdf"]) {
      const res = await t.call("POST", "/users/me/avatar", { token: u.token, body: { filename: "a", contentType, size: 10 } });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    }
    const fake = await uploaded(u, "/users/me/avatar", new TextEncoder().encode("<svg onload=alert(1)>"));
    expect((await t.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: fake } })).status).toBe(400);
    expect((await t.call("GET", "/auth/me", { token: u.token })).body.avatarUrl).toBeNull();
  });

  it("refuses an attachment upload, someone else's avatar upload, and an upload used twice", async () => {
    const s = await t.server();
    const attachment = await uploaded(s.owner, `/servers/${s.id}/channels/${s.channelId}/attachments`, png(2, 2));
    expect((await t.call("PUT", "/users/me/avatar", { token: s.owner.token, body: { uploadId: attachment } })).status).toBe(400);
    const other = await t.user();
    const theirs = await uploaded(other, "/users/me/avatar", png(2, 2));
    expect((await t.call("PUT", "/users/me/avatar", { token: s.owner.token, body: { uploadId: theirs } })).status).toBe(400);
    const mine = await uploaded(s.owner, "/users/me/avatar", png(2, 2));
    expect((await t.call("PUT", "/users/me/avatar", { token: s.owner.token, body: { uploadId: mine } })).status).toBe(200);
    expect((await t.call("PUT", "/users/me/avatar", { token: s.owner.token, body: { uploadId: mine } })).status).toBe(400);
  });
});

describe("server icons", () => {
  it("the owner sets one (200 Server with iconUrl); it shows in the server list and detail; members may not", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const memberTry = await t.call("POST", `/servers/${s.id}/icon`, { token: m.token, body: { filename: "i.png", contentType: "image/png", size: 10 } });
    expect(memberTry).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    const stranger = await t.user();
    expect((await t.call("POST", `/servers/${s.id}/icon`, { token: stranger.token, body: { filename: "i.png", contentType: "image/png", size: 10 } })).status).toBe(404);

    const id = await uploaded(s.owner, `/servers/${s.id}/icon`, png(32, 32));
    expect((await t.call("PUT", `/servers/${s.id}/icon`, { token: m.token, body: { uploadId: id } })).status).toBe(403);
    const set = await t.call("PUT", `/servers/${s.id}/icon`, { token: s.owner.token, body: { uploadId: id } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: s.id, name: s.name, iconUrl: expect.any(String) });
    expect((await fetch(set.body.iconUrl)).status).toBe(200);
    const list = await t.call("GET", "/servers", { token: m.token });
    expect(list.body.find((x: { id: string }) => x.id === s.id).iconUrl).toBe(set.body.iconUrl);
    const detail = await t.call("GET", `/servers/${s.id}`, { token: m.token });
    expect(detail.body.iconUrl).toBe(set.body.iconUrl);

    expect((await t.call("DELETE", `/servers/${s.id}/icon`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/icon`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).body.iconUrl).toBeNull();
    expect(await exists(keyOf(set.body.iconUrl))).toBe(false);
  });

  it("deleting the server deletes its icon", async () => {
    const s = await t.server();
    const id = await uploaded(s.owner, `/servers/${s.id}/icon`, png(3, 3));
    const { iconUrl } = (await t.call("PUT", `/servers/${s.id}/icon`, { token: s.owner.token, body: { uploadId: id } })).body;
    expect(await exists(keyOf(iconUrl))).toBe(true);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    // The purge runs in the background, after the answer (servers/deletion.ts).
    await expect.poll(() => exists(keyOf(iconUrl)), { timeout: 20_000 }).toBe(false);
  });
});

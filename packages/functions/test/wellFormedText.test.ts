/**
 * Issue 21, items 1 and 7 (the API's side): every string the API takes is well-formed Unicode
 * (a lone UTF-16 surrogate is a 400, not stored altered), bodies are valid UTF-8, a file name
 * holds no bidi control, a grapheme carries at most 10 combining marks; and one stored item a
 * page cannot present never fails the page (history, change feed, member list).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testApiWithServer, type TestApi, type TestServer } from "@agorusta/testing";
import { putUpload } from "@agorusta/testing/files";
import { MAX_MARKS_PER_GRAPHEME } from "@agorusta/core/schemas";

let t: TestApi;
let s: TestServer;
let base: string;
beforeAll(async () => {
  ({ t, s } = await testApiWithServer({ usageLimits: "off" }));
  base = `/servers/${s.id}/channels/${s.channelId}`;
});
afterEach(() => vi.restoreAllMocks());

const LONE = ["lone\uDC00", "x\uDFFF.txt", "\uD800", "a\uD83Db"]; // trailing, trailing, leading alone, leading before a non-surrogate

function expect400(res: { status: number; body: any }, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe("invalid_request");
  expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
}

describe("lone surrogates are refused with 400, on the field that holds them", () => {
  it.each(LONE)("in names, content, labels, reasons, file names, nonces and ids (%j)", async (bad) => {
    const other = await t.user();
    const dm = (await t.call("POST", "/dms", { token: s.owner.token, body: { userId: other.id } })).body.id;
    const sent = (await t.call("POST", `${base}/messages`, { token: s.owner.token, body: { content: "fine" } })).body.id;
    const cases: [string, string, Record<string, unknown>, string][] = [
      ["POST", "/servers", { name: `srv ${bad}` }, "name"],
      ["POST", `/servers/${s.id}/channels`, { name: bad }, "name"],
      ["POST", `${base}/messages`, { content: `hello ${bad}` }, "content"],
      ["POST", `${base}/messages`, { content: "hi", nonce: bad }, "nonce"],
      ["POST", `${base}/messages`, { content: "hi", replyTo: bad }, "replyTo"],
      ["PATCH", `${base}/messages/${sent}`, { content: bad }, "content"],
      ["POST", `/dms/${dm}/messages`, { content: bad }, "content"],
      ["POST", `${base}/attachments`, { filename: bad, contentType: "text/plain", size: 3 }, "filename"],
      ["POST", `/dms/${dm}/attachments`, { filename: bad, contentType: "text/plain", size: 3 }, "filename"],
      ["POST", "/users/me/avatar", { filename: bad, contentType: "image/png", size: 3 }, "filename"],
      ["POST", `/servers/${s.id}/passwords`, { password: "long enough password", label: bad }, "label"],
      ["PUT", `/servers/${s.id}/bans/${other.id}`, { reason: bad }, "reason"],
      ["POST", "/dms", { userId: bad }, "userId"],
      ["PUT", `${base}/read`, { messageId: bad }, "messageId"],
    ];
    for (const [method, path, body, field] of cases) {
      expect400(await t.call(method, path, { token: s.owner.token, body }), field);
    }
    // Nothing was stored altered: no channel named with U+FFFD in place of the surrogate.
    const detail = await t.call("GET", `/servers/${s.id}`, { token: s.owner.token });
    expect(detail.body.channels.map((c: { name: string }) => c.name)).not.toContain(bad.toWellFormed());
    // The ban was refused, so the user was not banned either.
    expect((await t.call("GET", `/servers/${s.id}/bans`, { token: s.owner.token })).body).toEqual([]);
  });

  it("in passwords: new ones, and those checked against a hash (argon2 would hash U+FFFD in its place)", async () => {
    const email = `p${Date.now()}@example.com`;
    expect400(await t.call("POST", "/auth/register", { body: { email, username: `p${Date.now()}`, password: "secret \uD800 words" } }), "password");
    expect400(await t.call("POST", "/auth/login", { body: { email, password: "secret \uD800 words" } }), "password");
    expect400(await t.call("POST", "/auth/password", { token: s.owner.token, body: { currentPassword: "correct horse battery", newPassword: "new \uDC00 password" } }), "newPassword");
    expect400(await t.call("POST", "/auth/password", { token: s.owner.token, body: { currentPassword: "correct \uDC00", newPassword: "a new password" } }), "currentPassword");
    expect400(await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "join \uDC00 password" } }), "password");
    expect400(await t.call("POST", "/servers/join", { token: s.owner.token, body: { name: s.name, password: "join \uDC00 password" } }), "password");
    expect400(await t.call("POST", "/servers/join", { token: s.owner.token, body: { name: `${s.name}\uDC00`, password: "whatever it is" } }), "name");
  });

  it("in a query: search words, and a percent-encoding that is not UTF-8", async () => {
    // JSON cannot carry a lone surrogate into a query; raw bytes can: %ED%B0%80 is U+DC00's would-be UTF-8.
    expect400(await t.call("GET", "/users/search?q=ab%ED%B0%80", { token: s.owner.token }), "q");
    expect400(await t.call("GET", "/users/search?q=ab%FF", { token: s.owner.token }), "q");
    expect400(await t.call("GET", `${base}/changes?since=%C3`, { token: s.owner.token }), "since");
    expect400(await t.call("GET", `${base}/messages?limit=5&before=%ED%A0%80`, { token: s.owner.token }), "before");
    // Well-formed percent-encoding (UTF-8 of U+1F980, and a plain space) still reads as text.
    expect((await t.call("GET", "/users/search?q=%F0%9F%A6%80", { token: s.owner.token })).status).toBe(200);
    expect((await t.call("GET", "/users/search?q=a+b", { token: s.owner.token })).status).toBe(200);
  });

  it("in a path: an id that cannot be ours is 404 as ever, an emoji that is not one 400", async () => {
    const sent = (await t.call("POST", `${base}/messages`, { token: s.owner.token, body: { content: "react" } })).body.id;
    expect((await t.call("GET", `/servers/%ED%B0%80`, { token: s.owner.token })).status).toBe(404);
    expect((await t.call("GET", `/servers/${s.id}/channels/%ED%A0%80/messages`, { token: s.owner.token })).status).toBe(404);
    const res = await t.call("PUT", `${base}/messages/${sent}/reactions/%ED%A0%BD/me`, { token: s.owner.token });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });
});

describe("a body that is not valid UTF-8", () => {
  const raw = (path: string, bytes: Uint8Array, method = "POST") =>
    t.app.request(path, { method, headers: { authorization: `Bearer ${s.owner.token}`, "content-type": "application/json" }, body: bytes });

  it("is a 400, where it would have become U+FFFD in the stored text", async () => {
    const before = (await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.channels.length;
    // {"name":"bad<FF>name"}: a byte that is never UTF-8.
    const body = new Uint8Array([...Buffer.from('{"name":"bad'), 0xff, ...Buffer.from('name"}')]);
    const res = await raw(`/servers/${s.id}/channels`, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringMatching(/UTF-8/) } });
    expect((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.channels).toHaveLength(before);
    // A surrogate written in UTF-8's form (ED B0 80), which UTF-8 forbids, and a sequence cut short.
    for (const bad of [[0xed, 0xb0, 0x80], [0xe2, 0x82]]) {
      const content = new Uint8Array([...Buffer.from('{"content":"x'), ...bad, ...Buffer.from('"}')]);
      expect((await raw(`${base}/messages`, content)).status).toBe(400);
    }
  });

  it("still accepts every well-formed character, a byte-order mark first included", async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ content: "naïve 🦀 текст" }))]);
    const res = await raw(`${base}/messages`, new Uint8Array(body));
    expect(res.status).toBe(201);
    expect(((await res.json()) as { content: string }).content).toBe("naïve 🦀 текст");
  });
});

describe("deceptive text (item 7)", () => {
  it.each([
    ["a right-to-left override", "invoice\u202Egpj.exe"],
    ["a right-to-left mark", "report\u200F.pdf"],
    ["a first-strong isolate", "a\u2068b.txt"],
    ["a zero-width space", "ad\u200Bmin.txt"],
    ["a newline", "two\nlines.txt"],
  ])("a file name with %s is refused with 400, on filename", async (_, filename) => {
    expect400(await t.call("POST", `${base}/attachments`, { token: s.owner.token, body: { filename, contentType: "text/plain", size: 3 } }), "filename");
  });

  it("a file name in a right-to-left script, or with an emoji sequence, is accepted", async () => {
    for (const filename of ["שלום.txt", "مرحبا.pdf", "👩‍💻 notes.md"]) {
      const res = await t.call("POST", `${base}/attachments`, { token: s.owner.token, body: { filename, contentType: "text/plain", size: 3 } });
      expect(res.status, filename).toBe(201);
    }
  });

  // "x" has no precomposed accented form: NFC (names) leaves every mark on it.
  const stacked = (n: number) => `x${"\u0301".repeat(n)}`;
  it(`refuses a grapheme of more than ${MAX_MARKS_PER_GRAPHEME} combining marks in content, names, labels, reasons and file names`, async () => {
    const zalgo = stacked(MAX_MARKS_PER_GRAPHEME + 1);
    const other = await t.user();
    const cases: [string, string, Record<string, unknown>, string][] = [
      ["POST", `${base}/messages`, { content: `hi ${zalgo}` }, "content"],
      ["POST", `${base}/messages`, { content: stacked(8000) }, "content"], // one "character" of 8,000 marks
      ["POST", "/servers", { name: `srv ${zalgo}` }, "name"],
      ["POST", `/servers/${s.id}/channels`, { name: zalgo }, "name"],
      ["POST", `/servers/${s.id}/passwords`, { password: "long enough password", label: zalgo }, "label"],
      ["PUT", `/servers/${s.id}/bans/${other.id}`, { reason: zalgo }, "reason"],
      ["POST", `${base}/attachments`, { filename: `${zalgo}.txt`, contentType: "text/plain", size: 3 }, "filename"],
    ];
    for (const [method, path, body, field] of cases) expect400(await t.call(method, path, { token: s.owner.token, body }), field);
  });

  it(`accepts ${MAX_MARKS_PER_GRAPHEME} marks on a grapheme, many marks spread over many, and real scripts`, async () => {
    for (const content of [
      stacked(MAX_MARKS_PER_GRAPHEME),
      stacked(5).repeat(200), // 1,000 marks, 5 to a grapheme
      "Tiếng Việt có dấu", // two marks on some letters
      "בְּרֵאשִׁ֖ית בָּרָ֣א", // pointed Hebrew with cantillation
      "བཀྲ་ཤིས་བདེ་ལེགས།", // Tibetan stacks
      "🏳️‍⚧️ 👁️‍🗨️ 1️⃣", // emoji sequences carry variation selectors and a keycap mark
    ]) {
      const res = await t.call("POST", `${base}/messages`, { token: s.owner.token, body: { content } });
      expect(res.status, content.slice(0, 20)).toBe(201);
    }
  });
});

describe("one stored item a page cannot present never fails the page", () => {
  /** Sends a message with a real attached file, then rewrites its stored file name straight in the table. */
  async function messageWithStoredFilename(at: string, filename: string, rewrite: (key: { messageId: string }) => Promise<void>) {
    const upload = await t.call("POST", `${at}/attachments`, { token: s.owner.token, body: { filename: "x.txt", contentType: "text/plain", size: 3 } });
    expect(await putUpload(upload.body, new TextEncoder().encode("abc"))).toBe(200);
    const sent = await t.call("POST", `${at}/messages`, { token: s.owner.token, body: { content: "with a file", attachments: [upload.body.id] } });
    expect(sent.status).toBe(201);
    await rewrite({ messageId: sent.body.id });
    return sent.body.id as string;
  }
  const logged = () => vi.spyOn(console, "error").mockImplementation(() => {});

  it("a channel message whose file name holds a lone surrogate: history and the change feed answer 200, the name repaired", async () => {
    const errors = logged();
    const cursor = (await t.call("GET", `${base}/changes`, { token: s.owner.token })).body.cursor;
    const before = (await t.call("POST", `${base}/messages`, { token: s.owner.token, body: { content: "before" } })).body.id;
    const bad = await messageWithStoredFilename(base, "x\uDFFF.txt", async ({ messageId }) => {
      const { data } = await t.deps.db.entities.messages.get({ channelId: s.channelId, messageId }).go();
      await t.deps.db.entities.messages.put({ ...data!, attachments: data!.attachments!.map((a) => ({ ...a, filename: "x\uDFFF.txt" })) }).go();
    });
    const stored = await t.deps.db.entities.messages.get({ channelId: s.channelId, messageId: bad }).go();
    expect(stored.data!.attachments![0]!.filename).toBe("x\uDFFF.txt"); // the table kept it as written

    const history = await t.call("GET", `${base}/messages?limit=10`, { token: s.owner.token });
    expect(history.status).toBe(200);
    const ids = history.body.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([before, bad]));
    const shown = history.body.find((m: { id: string }) => m.id === bad);
    expect(shown.attachments[0].filename).toBe("x\uFFFD.txt");
    // Its download link works, with a Content-Disposition built from the repaired name.
    const file = await fetch(shown.attachments[0].url);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("abc");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="x_.txt"; filename*=UTF-8''x%EF%BF%BD.txt`);

    const feed = await t.call("GET", `${base}/changes?since=${cursor}`, { token: s.owner.token });
    expect(feed.status).toBe(200);
    expect(feed.body.changes.map((c: { message: { id: string } }) => c.message.id)).toEqual([before, bad]);
    expect(errors).not.toHaveBeenCalled(); // repaired, not a fault
  });

  it("a DM whose file name holds a lone surrogate: its history and feed answer 200", async () => {
    logged();
    const other = await t.user();
    const dm = (await t.call("POST", "/dms", { token: s.owner.token, body: { userId: other.id } })).body.id;
    const at = `/dms/${dm}`;
    const cursor = (await t.call("GET", `${at}/changes`, { token: other.token })).body.cursor;
    const bad = await messageWithStoredFilename(at, "x\uDFFF.txt", async ({ messageId }) => {
      const { data } = await t.deps.db.entities.dmMessages.get({ conversationId: dm, messageId }).go();
      await t.deps.db.entities.dmMessages.put({ ...data!, attachments: data!.attachments!.map((a) => ({ ...a, filename: "\uD800x.txt" })) }).go();
    });
    const history = await t.call("GET", `${at}/messages`, { token: other.token });
    expect(history.status).toBe(200);
    expect(history.body.map((m: { id: string }) => m.id)).toEqual([bad]);
    expect(history.body[0].attachments[0].filename).toBe("\uFFFDx.txt");
    const feed = await t.call("GET", `${at}/changes?since=${cursor}`, { token: other.token });
    expect(feed.status).toBe(200);
    expect(feed.body.changes).toHaveLength(1);
  });

  it("a message item missing its content: history and the change feed answer 200 without it, and the fault is logged", async () => {
    const errors = logged();
    const cursor = (await t.call("GET", `${base}/changes`, { token: s.owner.token })).body.cursor;
    const send = async (content: string) => (await t.call("POST", `${base}/messages`, { token: s.owner.token, body: { content } })).body.id as string;
    const [first, broken, last] = [await send("first"), await send("broken"), await send("last")];
    const { UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
    const { Key, TableName } = t.deps.db.entities.messages.get({ channelId: s.channelId, messageId: broken }).params() as { Key: Record<string, string>; TableName: string };
    await t.deps.dynamo.document.send(new UpdateCommand({ TableName, Key, UpdateExpression: "REMOVE content" }));

    const history = await t.call("GET", `${base}/messages?after=${first}`, { token: s.owner.token });
    expect(history.status).toBe(200);
    expect(history.body.map((m: { id: string }) => m.id)).toEqual([last]);
    const feed = await t.call("GET", `${base}/changes?since=${cursor}`, { token: s.owner.token });
    expect(feed.status).toBe(200);
    expect(feed.body.changes).toEqual([
      { type: "message", message: expect.objectContaining({ id: first }) },
      { type: "message", message: expect.objectContaining({ id: last }) },
    ]);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining(`message ${broken}`), expect.anything());
  });

  it("an author whose stored avatar key cannot be signed: history answers 200 with no avatar, and the fault is logged", async () => {
    const errors = logged();
    const author = await t.member(s);
    const sent = (await t.call("POST", `${base}/messages`, { token: author.token, body: { content: "hello" } })).body.id;
    await t.deps.db.entities.users.patch({ userId: author.id }).set({ avatarKey: "avatars/\uDFFF" }).go();
    const history = await t.call("GET", `${base}/messages?limit=5`, { token: s.owner.token });
    expect(history.status).toBe(200);
    const shown = history.body.find((m: { id: string }) => m.id === sent);
    expect(shown.author).toMatchObject({ id: author.id, avatarUrl: null });
    expect(errors).toHaveBeenCalled();
  });

  it("a member list with a member item it cannot present answers 200 without it (logged), and one whose avatar cannot be signed with no avatar", async () => {
    const errors = logged();
    const x = await t.server();
    const broken = await t.member(x);
    const unsignable = await t.member(x);
    await t.deps.db.entities.users.patch({ userId: unsignable.id }).set({ avatarKey: "avatars/\uD800" }).go();
    // Written straight in the table, as a faulty writer or a hand edit could leave it: no role, no join date, a username that is not text.
    const { data: member } = await t.deps.db.entities.members.get({ serverId: x.id, userId: broken.id }).go();
    const key = t.deps.db.entities.members.get({ serverId: x.id, userId: broken.id }).params() as { Key: Record<string, string>; TableName: string };
    const { UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
    await t.deps.dynamo.document.send(
      new UpdateCommand({
        TableName: key.TableName,
        Key: key.Key,
        UpdateExpression: "REMOVE #role, #joined SET #username = :n, #lower = :l",
        ExpressionAttributeNames: { "#role": "role", "#joined": "joinedAt", "#username": "username", "#lower": "usernameLower" },
        ExpressionAttributeValues: { ":n": 42, ":l": member!.usernameLower },
      }),
    );
    const res = await t.call("GET", `/servers/${x.id}/members`, { token: x.owner.token });
    expect(res.status).toBe(200);
    const ids = res.body.map((m: { user: { id: string } }) => m.user.id);
    expect(ids).toEqual(expect.arrayContaining([x.owner.id, unsignable.id]));
    expect(ids).not.toContain(broken.id);
    expect(res.body.find((m: { user: { id: string } }) => m.user.id === unsignable.id).user.avatarUrl).toBeNull();
    expect(errors).toHaveBeenCalled();
  });
});

/** Uploads never attached: their objects go after a day (the local stand-in for the bucket's lifecycle rule), and an expired upload is refused. */
import { beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { testApiWithServer, type TestApi, type TestServer } from "@agorusta/testing";
import { putUpload } from "@agorusta/testing/files";
import { startUploadSweep } from "../src/uploadSweep.ts";

let t: TestApi;
let s: TestServer;
beforeAll(async () => ({ t, s } = await testApiWithServer()));

const exists = (key: string) =>
  t.deps.files.client.send(new HeadObjectCommand({ Bucket: t.deps.files.bucket, Key: key })).then(() => true, () => false);

async function pendingUpload() {
  const res = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/attachments`, {
    token: s.owner.token, body: { filename: "a.txt", contentType: "text/plain", size: 2 },
  });
  expect(await putUpload(res.body, new Uint8Array([1, 2]))).toBe(200);
  return res.body.id as string;
}

describe("unused uploads", () => {
  it("are deleted by the sweep once a day old, and not before", async () => {
    const sweeper = startUploadSweep(t.deps.files, 3600_000);
    try {
      const id = await pendingUpload();
      expect(await sweeper.sweep()).toBe(0);
      expect(await exists(`pending/${id}`)).toBe(true);
      // A day and a minute later, as the clock of the next hourly sweep would say.
      expect(await sweeper.sweep(Date.now() + 24 * 3600_000 + 60_000)).toBeGreaterThanOrEqual(1);
      expect(await exists(`pending/${id}`)).toBe(false);
    } finally {
      sweeper.stop();
    }
  });

  it("is refused once past its expiry, whatever is left of it", async () => {
    const id = await pendingUpload();
    // Its item as a day-old one would be: past `expiresAt`, still there (the TTL sweeper lags).
    const { data } = await t.deps.db.entities.uploads.get({ uploadId: id }).go();
    await t.deps.db.entities.uploads.delete({ uploadId: id }).go();
    await t.deps.db.entities.uploads.create({ ...data!, expiresAt: new Date(Date.now() - 1000).toISOString() }).go();
    const sent = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { attachments: [id] } });
    expect(sent).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });

  it("give their item a TTL of a day, removed once used", async () => {
    const id = await pendingUpload();
    const before = (await t.deps.db.entities.uploads.get({ uploadId: id }).go()).data!;
    expect(before.ttl! - Date.parse(before.createdAt) / 1000).toBeGreaterThanOrEqual(24 * 3600 - 1);
    expect(before.ttl! - Date.parse(before.createdAt) / 1000).toBeLessThanOrEqual(24 * 3600 + 1);
    const sent = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { attachments: [id] } });
    expect(sent.status).toBe(201);
    const after = (await t.deps.db.entities.uploads.get({ uploadId: id }).go()).data!;
    expect(after).toMatchObject({ usedBy: sent.body.id });
    expect(after.ttl).toBeUndefined();
  });
});

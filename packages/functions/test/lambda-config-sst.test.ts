/**
 * Where the Lambdas find their table, secret and WebSocket endpoint when SST deployed them (or runs
 * them under `sst dev`): sst's `Resource`, fed exactly as SST feeds it.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

afterAll(() => {
  vi.unstubAllEnvs();
});

/**
 * What SST puts into a deployed function: the links encrypted into `resource.enc`
 * (AES-256-GCM, zero nonce, tag appended) and the key and app in the environment.
 */
function deployLinks(links: Record<string, unknown>) {
  const key = randomBytes(32);
  const cipher = createCipheriv("aes-256-gcm", key, Buffer.alloc(12, 0));
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(links)), cipher.final(), cipher.getAuthTag()]);
  const file = join(mkdtempSync(join(tmpdir(), "agorusta-sst-")), "resource.enc");
  writeFileSync(file, encrypted);
  vi.stubEnv("SST_RESOURCE_App", JSON.stringify({ name: "agorusta", stage: "test" }));
  vi.stubEnv("SST_KEY", key.toString("base64"));
  vi.stubEnv("SST_KEY_FILE", file);
}

describe("readConfig under SST", () => {
  it("in a Lambda SST deployed, reads the linked table, JWT secret and WebSocket endpoint through sst's Resource", async () => {
    deployLinks({
      Table: { type: "sst.aws.Dynamo", name: "agorusta-test-TableTable-abcd" },
      JwtSecret: { type: "sst.sst.Secret", value: "a-secret-from-sst-secret-set-0123456789" },
      Realtime: {
        type: "sst.aws.ApiGatewayWebSocket",
        url: "wss://abc123.execute-api.eu-west-1.amazonaws.com/$default",
        managementEndpoint: "https://abc123.execute-api.eu-west-1.amazonaws.com/$default",
      },
    });
    // Linked resources win over a stray environment.
    vi.stubEnv("TABLE_NAME", "not-this-one");
    const { readConfig, loadDeps } = await import("../src/config.ts");
    const config = readConfig();
    expect(config).toEqual({
      tableName: "agorusta-test-TableTable-abcd",
      jwtSecret: "a-secret-from-sst-secret-set-0123456789",
      wsManagementEndpoint: "https://abc123.execute-api.eu-west-1.amazonaws.com/$default",
      app: "agorusta",
      stage: "test",
      webOrigin: undefined,
    });
    expect(loadDeps("api", config).db).toBeDefined();
  });
});

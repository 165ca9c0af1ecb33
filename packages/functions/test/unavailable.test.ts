/**
 * When the table cannot be reached (DynamoDB Local killed, a network fault), the API says so:
 * 503 `unavailable` in the contract's shape, health included — not a 500 that reads like a bug.
 */
import { describe, expect, it } from "vitest";
import { createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { createApp } from "../src/app.ts";
import { createDeps } from "../src/deps.ts";
import { freePort } from "@agorusta/local/dynamoLocal";
import { TEST_SECRET } from "@agorusta/testing";

describe("a table out of reach", () => {
  it("answers health and the routes that need the table with 503 unavailable", async () => {
    // A loopback port nothing listens on: every connection is refused, as after the JVM died.
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const dynamo = createDynamoClients({ ...localDynamoConfig(endpoint), maxAttempts: 1 });
    const app = createApp(createDeps({ dynamo, tableName: "nowhere", jwtSecret: TEST_SECRET }));

    const health = await app.request("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ error: { code: "unavailable", message: expect.any(String) } });

    const login = await app.request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "who@example.com", password: "correct horse battery" }),
    });
    expect(login.status).toBe(503);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  });
});

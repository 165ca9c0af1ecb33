/**
 * What keeps one stage's API to itself: CORS only for its web origin, tokens scoped to the stage
 * (iss/aud), nosniff on every answer, and each Lambda's DynamoDB client refusing what its IAM
 * role is not granted.
 */
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { createTokens } from "@agorusta/core/auth";
import { createApp } from "../src/app.ts";
import { loadDeps, readConfig } from "../src/config.ts";
import { jwtScope } from "../src/lambda/stage.ts";
import { dynamoActions } from "../src/lambda/permissions.ts";
import { freshDeps, TEST_SECRET } from "@agorusta/testing";
import type {} from "@agorusta/testing/globalSetup";

const WEB = "https://d1example.cloudfront.net";

describe("CORS", () => {
  it("answers the stage's web origin, and no other", async () => {
    const app = createApp({ ...(await freshDeps()), webOrigin: WEB });
    const preflight = (origin: string) =>
      app.request("/servers", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    const ours = await preflight(WEB);
    expect(ours.status).toBe(204);
    expect(ours.headers.get("access-control-allow-origin")).toBe(WEB);
    expect(ours.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const theirs = await preflight("https://evil.example");
    expect(theirs.headers.get("access-control-allow-origin")).toBeNull();
    const read = await app.request("/health", { headers: { origin: "https://evil.example" } });
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
    expect((await app.request("/health", { headers: { origin: WEB } })).headers.get("access-control-allow-origin")).toBe(WEB);
  });

  it("answers no origin at all without one (npm start serves app and API from one origin)", async () => {
    const app = createApp(await freshDeps());
    const res = await app.request("/health", { headers: { origin: "http://192.0.2.99:3000" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("nosniff", () => {
  it("is on every API answer: success, 404, validation error", async () => {
    const app = createApp(await freshDeps());
    const answers = [
      await app.request("/health"),
      await app.request("/no-such-route"),
      await app.request("/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 400]);
    for (const r of answers) expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("tokens per stage", () => {
  it("a Lambda reads its stage and accepts only that stage's tokens, even under the same secret", async () => {
    const env = { TABLE_NAME: "t", JWT_SECRET: TEST_SECRET };
    const dev = loadDeps("api", readConfig({ ...env, STAGE: "dev" }));
    const prod = loadDeps("api", readConfig({ ...env, STAGE: "prod" }));
    const devToken = await dev.tokens.issue("user-1");
    expect(await dev.tokens.verify(devToken)).toBe("user-1");
    await expect(prod.tokens.verify(devToken)).rejects.toMatchObject({ code: "unauthorized" });
    const claims = JSON.parse(Buffer.from(devToken.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ iss: "agorusta:dev", aud: "agorusta:dev:api", sub: "user-1" });
    // A token without an audience (as issued before stages had one) is refused too.
    const unscoped = await createTokens(TEST_SECRET, { issuer: "agorusta:prod", audience: "" }).issue("user-1");
    await expect(prod.tokens.verify(unscoped)).rejects.toMatchObject({ code: "unauthorized" });
    expect(jwtScope("agorusta", "prod")).toEqual({ issuer: "agorusta:prod", audience: "agorusta:prod:api" });
  });
});

describe("each Lambda's DynamoDB grant", () => {
  it("is enforced by its client as IAM would: a transaction needs each of its items' actions", async () => {
    const client = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")), { allowedActions: ["PutItem", "GetItem"] });
    const item = { TableName: "nowhere", Key: { pk: { S: "a" }, sk: { S: "b" } }, ConditionExpression: "attribute_exists(pk)" };
    await expect(client.raw.send(new TransactWriteItemsCommand({ TransactItems: [{ ConditionCheck: item }] }))).rejects.toThrow(
      /TransactWriteItems needs dynamodb:ConditionCheckItem, which this Lambda is not granted \(packages\/functions\/src\/lambda\/permissions\.ts\)/,
    );
    expect(client.counts.TransactWriteItems).toBe(1);
  });

  it("grants no Scan, no table management and no wildcard to either Lambda", () => {
    for (const actions of Object.values(dynamoActions)) {
      for (const a of actions) expect(a).not.toMatch(/Scan|\*|Table|Stream|PartiQL|Statement|Backup|Export|Import/);
    }
  });
});

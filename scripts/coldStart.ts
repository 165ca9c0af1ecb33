/**
 * A Lambda's cold start is its import plus its first request, so `npm run bundle` measures the
 * API's both (issue 27, item 4): each probe is a fresh Node process that imports the built
 * bundle, then hands its handler one recorded HTTP API (payload 2.0) event, a signed-in page of a
 * channel's messages, against an in-memory DynamoDB Local seeded and warmed here. Code the import
 * leaves for later (a dynamic `import()`, an entity built at first use) is paid inside that first
 * request, and counted.
 *
 * The probe's SDK client is built as deployed (no endpoint or credentials in our config): the
 * region, the credentials and the endpoint come from the environment, as Lambda gives the first
 * two (`AWS_ENDPOINT_URL_DYNAMODB` points the client at DynamoDB Local).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ensureTable, createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { startDynamoLocal, type DynamoLocal } from "@agorusta/local/dynamoLocal";
import { createApp } from "../packages/functions/src/app.ts";
import { createDeps } from "../packages/functions/src/deps.ts";

/** The recorded events of the Lambda adapter's tests (packages/functions/test/fixtures/http). */
const fixtures = new URL("../packages/functions/test/fixtures/http/", import.meta.url);

/** A recorded event with its `{{placeholders}}` filled in. */
function recordedEvent(name: string, values: Record<string, string>): unknown {
  const text = readFileSync(new URL(name, fixtures), "utf8").replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (values[key] === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    return values[key];
  });
  return JSON.parse(text);
}

/** What the first request is: a page of a channel's messages, the route a person opening the app waits for. */
export const FIRST_REQUEST = "GET /servers/{id}/channels/{id}/messages?limit=1, signed in";

export interface FirstRequestTable {
  /** The environment a probe adds to the Lambda's: the seeded table, its secret, DynamoDB Local as the endpoint. */
  env: Record<string, string>;
  /** The first request's event (payload 2.0). */
  event: unknown;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local with one person, a server and a few messages, and the JVM warmed on the very
 * request the probes make (its first answers are many times slower than the next: that is
 * DynamoDB Local's, not the Lambda's).
 */
export async function firstRequestTable(): Promise<FirstRequestTable> {
  const dynamoLocal: DynamoLocal = await startDynamoLocal();
  try {
    const tableName = `bundle-probe-${Date.now()}`;
    const jwtSecret = randomBytes(32).toString("hex");
    const dynamo = createDynamoClients(localDynamoConfig(dynamoLocal.endpoint));
    await ensureTable(dynamo.raw, tableName, { stream: false });
    const app = createApp(createDeps({ dynamo, tableName, jwtSecret }));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's answers, as JSON
    const call = async (method: string, path: string, token: string | null, body?: unknown): Promise<any> => {
      const res = await app.request(path, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const { token } = await call("POST", "/auth/register", null, { email: "probe@example.com", username: "bundle_probe", password: "correct horse battery" });
    const server = await call("POST", "/servers", token, { name: "Probe" });
    const channelId: string = (await call("GET", `/servers/${server.id}`, token)).channels[0].id;
    const messages = `/servers/${server.id}/channels/${channelId}/messages`;
    for (let i = 0; i < 5; i++) await call("POST", messages, token, { content: `Message ${i}` });
    for (let i = 0; i < 200; i++) await call("GET", `${messages}?limit=1`, token);
    return {
      env: {
        TABLE_NAME: tableName,
        JWT_SECRET: jwtSecret,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoLocal.endpoint,
        // As Lambda gives its role's: DynamoDB Local takes any.
        AWS_ACCESS_KEY_ID: "ASIAPROBEPROBEPROBE00",
        AWS_SECRET_ACCESS_KEY: "probe-secret-access-key-probe-probe-0000",
        AWS_SESSION_TOKEN: "probe-session-token",
      },
      event: recordedEvent("list-messages.json", { token, serverId: server.id, channelId }),
      stop: () => dynamoLocal.stop(),
    };
  } catch (error) {
    await dynamoLocal.stop();
    throw error;
  }
}

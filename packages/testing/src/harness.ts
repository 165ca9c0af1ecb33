import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import { createDynamoClients, ensureTable, localDynamoConfig } from "@agorusta/core";
import { createApp } from "@agorusta/functions/app";
import { createDeps, type Deps } from "@agorusta/functions/deps";
import { startRuntime, type Runtime, type RuntimeOptions } from "@agorusta/local/runtime";
import { createPurgeWorker } from "@agorusta/local/purgeWorker";
import { usageLimits, type UsageLimits } from "@agorusta/core/limits";
import { dynamoActions, type LambdaName } from "@agorusta/functions/lambda/permissions";
import { createFileStore, ensureBucket, localS3Config, type FileStore } from "@agorusta/core/attachments";

export const TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

/**
 * The abuse limits tests run under: the contract's, but for registering. Every test user signs up
 * from the same address (the test process), so a file of tests would pass 30 an hour; the
 * registration limit has its own test (packages/functions/test/usageLimits.test.ts). A test that
 * needs more (posting many messages) passes its own `usageLimits`, such as "off".
 */
export const testLimits: UsageLimits = { ...usageLimits, register: { limit: 1_000_000, windowSeconds: 3600 } };

export const uniqueTableName = () => `t_${Date.now()}_${randomBytes(4).toString("hex")}`;
/** S3 bucket names: lower-case letters, digits and hyphens. */
export const uniqueBucketName = () => `t-${Date.now()}-${randomBytes(4).toString("hex")}`;

/** A fresh bucket of its own in the run's embedded S3-compatible store. */
export async function freshFiles(): Promise<FileStore> {
  const files = createFileStore({ bucket: uniqueBucketName(), config: localS3Config(inject("s3Endpoint"), inject("s3Credentials")) });
  await ensureBucket(files);
  return files;
}

/**
 * A fresh table of its own in the run's DynamoDB Local (without a stream: nothing indexes it, see
 * core store/table.ts `TableOptions`), a fresh bucket, and deps over them; with
 * `lambda`, a client that refuses what that Lambda's IAM role is not granted
 * (packages/functions/src/lambda/permissions.ts).
 */
export async function freshDeps(options: { lambda?: LambdaName } = {}): Promise<Deps> {
  const config = localDynamoConfig(inject("dynamoEndpoint"));
  const tableName = uniqueTableName();
  const [files] = await Promise.all([freshFiles(), ensureTable(createDynamoClients(config).raw, tableName, { stream: false })]);
  const dynamo = createDynamoClients(config, options.lambda ? { allowedActions: dynamoActions[options.lambda] } : {});
  // Deleted servers are purged in the background, as under `npm start`.
  return createDeps({ dynamo, tableName, jwtSecret: TEST_SECRET, files, purges: (stores) => createPurgeWorker(stores), usageLimits: testLimits });
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** How a test client reaches the REST app: in-process, or over HTTP to a running runtime. */
type Send = (path: string, init: RequestInit, env?: unknown) => Response | Promise<Response>;

/** A REST client with the helpers tests share: register users, create servers, join them. */
export function apiClient(send: Send) {
  async function call<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string>; env?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    } else if (body !== undefined) headers["content-type"] ??= "application/json";
    // `env` stands in for what a runtime adapter binds (e.g. a Lambda event's requestContext).
    const res = await send(path, { method, headers, body }, options.env);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: left as text so the assertion shows it */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  let n = 0;
  /** Registers a fresh user; returns its token and Me. */
  async function user(name?: string) {
    const username = name ?? `user${Date.now().toString(36)}${n++}`;
    const res = await call("POST", "/auth/register", {
      body: { email: `${username}@example.com`, username, password: "correct horse battery" },
    });
    if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
    return { token: res.body.token as string, ...(res.body.user as { id: string; username: string; email: string; createdAt: string }) };
  }
  type TestUser = Awaited<ReturnType<typeof user>>;
  /** A server owned by `owner` (a fresh user if none), with its detail (channels, `general` first). */
  async function server(owner?: TestUser, name?: string) {
    const o = owner ?? (await user());
    const created = await call("POST", "/servers", { token: o.token, body: { name: name ?? `server ${Date.now().toString(36)}${n++}` } });
    if (created.status !== 201) throw new Error(`create server failed: ${JSON.stringify(created.body)}`);
    const detail = await call("GET", `/servers/${created.body.id}`, { token: o.token });
    return { owner: o, id: created.body.id as string, name: created.body.name as string, channelId: detail.body.channels[0].id as string };
  }
  /** A fresh user who joined the server through a new invite of its owner. */
  async function member(s: { id: string; owner: TestUser }) {
    const invite = await call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} });
    const u = await user();
    const joined = await call("POST", `/invites/${invite.body.code}/join`, { token: u.token });
    if (joined.status !== 200) throw new Error(`join failed: ${JSON.stringify(joined.body)}`);
    return u;
  }
  return { call, user, server, member };
}

/** Calls the Hono app in-process, as a client would over HTTP. `overrides` swap deps (a recording publisher, small rate limits). */
export async function testApi(overrides: Partial<Deps> = {}, options: { lambda?: LambdaName } = {}) {
  // The REST Lambda's grant by default: a route needing more fails its test. Tests that also
  // play the WebSocket Lambda (subscribing connections) ask for its grant.
  const deps: Deps = { ...(await freshDeps({ lambda: options.lambda ?? "api" })), ...overrides };
  const app = createApp(deps);
  return { deps, app, ...apiClient((path, init, env) => app.request(path, init, env)) };
}

export type TestApi = Awaited<ReturnType<typeof testApi>>;
export type TestUser = Awaited<ReturnType<TestApi["user"]>>;
export type TestServer = Awaited<ReturnType<TestApi["server"]>>;

/** For a test file about one server: a fresh API (with testApi's `overrides`) and a server in it, owned by a fresh user. */
export async function testApiWithServer(overrides: Partial<Deps> = {}): Promise<{ t: TestApi; s: TestServer }> {
  const t = await testApi(overrides);
  return { t, s: await t.server() };
}

/** The same client over real HTTP to a runtime's `/api`. */
export const runtimeApi = (runtime: Pick<Runtime, "url">) => apiClient((path, init) => fetch(`${runtime.url}/api${path}`, init));

/** The whole local runtime on a free port, over its own table: for WebSocket and browser tests. */
export async function testRuntime(
  options: Partial<Pick<RuntimeOptions, "webRoot" | "purge" | "tableName" | "search" | "push">> & { usageLimits?: UsageLimits | "off" } = {},
): Promise<Runtime> {
  return startRuntime({
    // Only a test of search pays for its indexer (core store/table.ts `TableOptions`).
    search: false,
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableName: uniqueTableName(),
    jwtSecret: TEST_SECRET,
    s3: { endpoint: inject("s3Endpoint"), credentials: inject("s3Credentials") },
    bucket: uniqueBucketName(),
    port: 0,
    usageLimits: testLimits,
    ...options,
  });
}

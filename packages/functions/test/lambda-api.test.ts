/**
 * The REST Lambda as API Gateway calls it: recorded HTTP API (payload 2.0) events in, the
 * structured results API Gateway turns into HTTP responses out, over DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { fixture, lambdaContext, lambdaEnvironment } from "./fixtures/lambda.ts";

type Handler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(async () => {
  await lambdaEnvironment();
  // A bucket linked, as deployed: its S3 client loads at the first request that touches a file.
  vi.stubEnv("BUCKET_NAME", "lambda-api-files");
  vi.stubEnv("S3_ENDPOINT", inject("s3Endpoint"));
  vi.stubEnv("AWS_ACCESS_KEY_ID", inject("s3Credentials").accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", inject("s3Credentials").secretAccessKey);
  ({ handler } = (await import("../src/lambda/api.ts")) as unknown as { handler: Handler });
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const invoke = (path: string, values?: Record<string, string>) =>
  handler(fixture<APIGatewayProxyEventV2>(`http/${path}`, values), lambdaContext("agorusta-production-ApiHandler"));

/** What API Gateway needs to build the HTTP response from a payload 2.0 result. */
function expectApiGatewayJson(result: APIGatewayProxyStructuredResultV2, statusCode: number) {
  expect(result.statusCode).toBe(statusCode);
  expect(result.isBase64Encoded).toBe(false);
  expect(typeof result.body).toBe("string");
  expect(result.headers?.["content-type"]).toMatch(/^application\/json/);
  for (const value of Object.values(result.headers ?? {})) expect(typeof value).toBe("string");
  return JSON.parse(result.body!);
}

describe("the REST Lambda behind the HTTP API", () => {
  let token: string;
  let serverId: string;
  let channelId: string;

  it("is an async handler (Node 24 Lambdas take no callback)", async () => {
    expect(handler.length).toBeLessThan(3);
    const pending = invoke("not-found.json");
    expect(pending).toBeInstanceOf(Promise);
    await pending;
  });

  it("registers: 201 {token, user} from a POST with a JSON body", async () => {
    const body = expectApiGatewayJson(await invoke("register.json"), 201);
    expect(body.user).toMatchObject({ username: "lambda_user", email: "Lambda.User@example.com" });
    token = body.token;
    expect(token.split(".")).toHaveLength(3);
  });

  it("answers an authenticated GET with a path parameter", async () => {
    const created = expectApiGatewayJson(await invoke("create-server.json", { token }), 201);
    serverId = created.id;
    const detail = expectApiGatewayJson(await invoke("get-server.json", { token, serverId }), 200);
    expect(detail).toMatchObject({ id: serverId, name: "Lambda Lounge", role: "owner" });
    channelId = detail.channels[0].id;
  });

  it("decodes a base64-encoded body, keeping its UTF-8 intact", async () => {
    const message = expectApiGatewayJson(await invoke("post-message-base64.json", { token, serverId, channelId }), 201);
    expect(message).toMatchObject({ channelId, serverId, content: "Grüße from API Gateway 👋", author: { username: "lambda_user" } });
  });

  it("passes path parameters and the query string through: ?limit=1 gives the newest message only", async () => {
    await invoke("post-message-base64.json", { token, serverId, channelId });
    const newest = expectApiGatewayJson(await invoke("post-message-base64.json", { token, serverId, channelId }), 201);
    const page = expectApiGatewayJson(await invoke("list-messages.json", { token, serverId, channelId }), 200);
    expect(page.map((m: { id: string }) => m.id)).toEqual([newest.id]);
  });

  it("answers 401 in the contract's shape when the bearer token is not ours", async () => {
    const body = expectApiGatewayJson(await invoke("list-messages.json", { token: "not.a.token", serverId, channelId }), 401);
    expect(body.error.code).toBe("unauthorized");
  });

  it("answers an unknown route with a JSON 404", async () => {
    const body = expectApiGatewayJson(await invoke("not-found.json"), 404);
    expect(body.error).toMatchObject({ code: "not_found", message: expect.stringContaining("/no/such/route") });
  });

  it("presigns an upload through the S3 client it loads at that first use (lambda/atFirstCall.ts)", async () => {
    const event = fixture<APIGatewayProxyEventV2>("http/create-server.json", { token });
    event.rawPath = event.requestContext.http.path = "/users/me/avatar";
    event.body = JSON.stringify({ filename: "me.png", contentType: "image/png", size: 2048 });
    const upload = expectApiGatewayJson(await handler(event, lambdaContext("agorusta-production-ApiHandler")), 201);
    expect(upload).toMatchObject({ method: "PUT", headers: { "content-type": "image/png" } });
    const url = new URL(upload.uploadUrl);
    expect(`${url.protocol}//${url.host}`).toBe(new URL(inject("s3Endpoint")).origin);
    expect(url.pathname.startsWith("/lambda-api-files/")).toBe(true);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  // Issue 21: `new Request()` throws on the fetch standard's forbidden methods, so the adapter once failed on them.
  it.each(["TRACE", "TRACK", "CONNECT", "trace"])("answers %s /health with the app's JSON 404, not a failed invocation", async (method) => {
    const event = fixture<APIGatewayProxyEventV2>("http/not-found.json");
    event.requestContext.http.method = method;
    event.rawPath = event.requestContext.http.path = "/health";
    const body = expectApiGatewayJson(await handler(event, lambdaContext("agorusta-production-ApiHandler")), 404);
    expect(body).toEqual({ error: { code: "not_found", message: `No route for ${method.toUpperCase()} /health.` } });
  });

  it("answers a method it has no route for, but a Request can carry, as the app does (404)", async () => {
    const event = fixture<APIGatewayProxyEventV2>("http/not-found.json");
    event.requestContext.http.method = "PROPFIND";
    event.rawPath = event.requestContext.http.path = "/health";
    expect(expectApiGatewayJson(await handler(event, lambdaContext("agorusta-production-ApiHandler")), 404).error.code).toBe("not_found");
  });
});

/**
 * The WebSocket Lambda as API Gateway calls it: recorded `$connect`, `$default` and `$disconnect`
 * events in, over DynamoDB Local; replies and pushed events out through `@connections`, here a
 * recorder standing in for API Gateway's management API, reached by the real SDK client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { createApp } from "../src/app.ts";
import { createDeps } from "../src/deps.ts";
import type { WsResult } from "../src/ws/handler.ts";
import { apiClient, TEST_SECRET } from "@agorusta/testing";
import { fakeConnectionsApi } from "@agorusta/testing/connectionsApi";
import { fixture, lambdaContext, lambdaEnvironment } from "./fixtures/lambda.ts";

type WsLambda = (event: APIGatewayProxyWebsocketEventV2, context: ReturnType<typeof lambdaContext>) => Promise<WsResult>;
type ApiLambda = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

/** What reached `POST /@connections/{id}`, in order. */
const connectionsApi = fakeConnectionsApi();
const posts = () => connectionsApi.calls.filter((c) => c.method === "POST").map((c) => ({ ...c, frame: JSON.parse(c.body) }));
let ws: WsLambda;
let api: ApiLambda;
let owner: { token: string; id: string };
let setup: ReturnType<typeof apiClient>;
/** A one-time handshake ticket of the owner's session, as the web app asks for one. */
const ticket = async () => (await setup.call("POST", "/auth/ws-ticket", { token: owner.token })).body.ticket as string;
let serverId: string;
let channelId: string;

beforeAll(async () => {
  const endpoint = await connectionsApi.listen("$default");

  const { tableName, dynamo } = await lambdaEnvironment();
  // The shape of a WebSocket API's management endpoint: https://{api}.execute-api.{region}.amazonaws.com/{stage}
  vi.stubEnv("WS_MANAGEMENT_ENDPOINT", endpoint);
  // What Lambda gives every function (its role's credentials); the recorder checks no signature.
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE00");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key");

  ({ handler: ws } = (await import("../src/lambda/ws.ts")) as unknown as { handler: WsLambda });
  ({ handler: api } = (await import("../src/lambda/api.ts")) as unknown as { handler: ApiLambda });

  setup = apiClient((path, init) => createApp(createDeps({ dynamo, tableName, jwtSecret: TEST_SECRET })).request(path, init));
  const server = await setup.server();
  ({ owner, id: serverId, channelId } = server);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await connectionsApi.close();
});

const event = (path: string, values: Record<string, string>) =>
  ws(fixture<APIGatewayProxyWebsocketEventV2>(`ws/${path}`, values), lambdaContext("agorusta-production-WsHandler"));
const postsTo = (connectionId: string) => posts().filter((p) => p.connectionId === connectionId).map((p) => p.frame);
/** A channel message sent the way the web app sends it: through the REST Lambda. */
const sendThroughRestLambda = async () => {
  const res = await api(fixture(`http/post-message-base64.json`, { token: owner.token, serverId, channelId }), lambdaContext("agorusta-production-ApiHandler"));
  expect(res.statusCode).toBe(201);
  return JSON.parse(res.body!);
};

describe("the WebSocket Lambda behind the WebSocket API", () => {
  const connectionId = "Cm4AAe8NliACFqA=";

  it("is an async handler (Node 24 Lambdas take no callback)", () => {
    expect(ws.length).toBeLessThan(3);
    expect(Object.getPrototypeOf(ws).constructor.name).toBe("AsyncFunction");
  });

  it.each([
    ["no ticket", async () => ""],
    ["the token instead of a ticket", async () => owner.token],
    ["a ticket already used", async () => {
      const used = await ticket();
      expect((await event("connect.json", { connectionId: "Cm4AByUsedOnce=", ticket: used })).statusCode).toBe(200);
      return used;
    }],
  ])("refuses $connect with %s: 401 and the contract's error body", async (_, make) => {
    const result = await event("connect.json", { connectionId: "Cm4AByRefusedA=", ticket: await make() });
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body!)).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("accepts $connect with a ticket in the query: 200", async () => {
    expect(await event("connect.json", { connectionId, ticket: await ticket() })).toEqual({ statusCode: 200 });
  });

  it("answers a $default subscribe with 200 and posts `subscribed` to the connection", async () => {
    expect(await event("default-subscribe.json", { connectionId, channelId })).toEqual({ statusCode: 200 });
    expect(postsTo(connectionId)).toEqual([{ type: "subscribed", channelId }]);
    expect(posts().at(-1)!.path).toBe(`/$default/@connections/${connectionId}`);
  });

  it("delivers a message sent through the REST Lambda to the subscribed connection", async () => {
    const message = await sendThroughRestLambda();
    expect(postsTo(connectionId).at(-1)).toEqual({ type: "new_message", message, cursor: expect.any(String) });
  });

  it("answers a $default frame that is not JSON with an error frame; the connection stays", async () => {
    expect(await event("default-not-json.json", { connectionId })).toEqual({ statusCode: 200 });
    expect(postsTo(connectionId).at(-1)).toMatchObject({ type: "error", code: "invalid_request" });
  });

  it("forgets the connection on $disconnect: nothing more is posted to it", async () => {
    expect(await event("disconnect.json", { connectionId })).toEqual({ statusCode: 200 });
    const before = postsTo(connectionId).length;
    await sendThroughRestLambda();
    expect(postsTo(connectionId)).toHaveLength(before);
  });
});

/** Paths the web client builds (issue 15): the post-login redirect and ids in URLs. */
import { describe, expect, it } from "vitest";
import { path, safeNext } from "../src/lib/navigation.ts";
import { createClient } from "../src/lib/api.ts";

describe("safeNext (where ?next= may send someone after signing in)", () => {
  it.each([
    ["/servers/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/servers/01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ["/invite/AbC123xy?from=mail#top", "/invite/AbC123xy?from=mail#top"],
    ["/dms/x/../../servers", "/servers"],
  ])("keeps a path of this app: %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    null,
    "",
    "//evil.example",
    "//evil.example/login",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "evil.example",
    "http:/evil.example",
  ])("sends %j home instead", (next) => {
    expect(safeNext(next)).toBe("/");
  });
});

describe("ids in paths", () => {
  it("path`…` encodes each value, so an id cannot add a segment, a query or `..`", () => {
    expect(path`/servers/${"../auth/me"}/channels/${"a?b#c"}`).toBe("/servers/..%2Fauth%2Fme/channels/a%3Fb%23c");
    expect(path`/dms/${"01ARZ3NDEKTSV4RRFFQ69G5FAV"}`).toBe("/dms/01ARZ3NDEKTSV4RRFFQ69G5FAV");
  });

  it("the API client encodes every route parameter it puts in a URL", async () => {
    const asked: string[] = [];
    const api = createClient({
      baseUrl: "http://agorusta.test/api",
      token: () => null,
      fetch: async (input) => {
        asked.push(input instanceof Request ? input.url : String(input));
        return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
      },
    });
    await api.servers[":id"].$get({ param: { id: "../auth/me" } });
    await api.servers[":id"].channels[":cid"].messages.$get({ param: { id: "s/1", cid: "c?x=1" }, query: { limit: "5" } });
    await api.dms[":id"].$get({ param: { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" } });
    expect(asked).toEqual([
      "http://agorusta.test/api/servers/..%2Fauth%2Fme",
      "http://agorusta.test/api/servers/s%2F1/channels/c%3Fx%3D1/messages?limit=5",
      "http://agorusta.test/api/dms/01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ]);
    expect(api.servers[":id"].$url({ param: { id: "a/b" } }).pathname).toBe("/api/servers/a%2Fb");
  });
});

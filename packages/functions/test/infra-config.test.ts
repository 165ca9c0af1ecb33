/**
 * What infra/ and sst.config.ts ask AWS for, read without AWS: the modules run against stand-ins
 * of SST's globals that record each component's arguments (the typecheck, `npm run typecheck`,
 * proves those arguments are SST's). Least-privilege grants per Lambda, CORS for the stage's web
 * origin only, the web app's security headers and caching, and protection chosen by configuration.
 */
import { matchesGlob } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { dynamoActions, iamDynamoActions } from "../src/lambda/permissions.ts";
import { cacheControlFor } from "../src/http/webCaching.ts";

/** A resolved Pulumi Output: enough of one for infra's `.apply` chains. */
class Out<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
  apply<U>(f: (v: T) => U): Out<U> {
    const r = f(this.value) as unknown;
    return (r instanceof Out ? r : new Out(r)) as Out<U>;
  }
}
const unwrap = (v: unknown): unknown => (v instanceof Out ? unwrap(v.value) : v);

interface Recorded {
  type: string;
  name: string;
  args: any;
}
const created: Recorded[] = [];
const wrapped: Array<{ cls: unknown; cb: (r: any) => any }> = [];
const routes: Array<{ api: string; key: string; args: any }> = [];

function component(type: string, extra: (name: string) => Record<string, unknown> = () => ({})) {
  return class {
    [k: string]: unknown;
    constructor(name: string, args?: unknown) {
      created.push({ type, name, args });
      Object.assign(this, extra(name));
    }
  };
}

const infra = (path: string) => new URL(`../../../${path}`, import.meta.url).href;
const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/agorusta-prod-TableTable";
const WEB_URL = "https://d1example.cloudfront.net";
const BUCKET_DOMAIN = "agorusta-prod-files.s3.eu-west-1.amazonaws.com";
const ACCOUNT = "123456789012";

beforeAll(async () => {
  const g = globalThis as any;
  g.$app = { name: "agorusta", stage: "prod", protect: true, removal: "retain" };
  g.$dev = false;
  g.$output = (v: unknown) => (v instanceof Out ? v : new Out(unwrap(v)));
  g.$resolve = (list: unknown[]) => new Out(list.map(unwrap));
  g.$interpolate = (strings: TemplateStringsArray, ...values: unknown[]) =>
    new Out(strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(unwrap(values[i])) : ""), ""));
  g.aws = {
    cloudfront: { ResponseHeadersPolicy: component("aws.cloudfront.ResponseHeadersPolicy", () => ({ id: new Out("rhp-123") })) },
    s3: { BucketCorsConfigurationV2: component("aws.s3.BucketCorsConfigurationV2") },
    getCallerIdentityOutput: () => ({ accountId: new Out(ACCOUNT) }),
  };
  const Dynamo = component("sst.aws.Dynamo", () => ({ arn: new Out(TABLE_ARN), name: new Out("agorusta-prod-TableTable") }));
  const api = (name: string) => ({
    url: new Out(name === "Api" ? "https://api123.execute-api.eu-west-1.amazonaws.com" : "wss://ws123.execute-api.eu-west-1.amazonaws.com/$default"),
    route: (key: string, args: unknown) => routes.push({ api: name, key, args }),
  });
  g.sst = {
    Secret: component("sst.Secret"),
    Linkable: { wrap: (cls: unknown, cb: (r: any) => any) => wrapped.push({ cls, cb }) },
    aws: {
      Dynamo,
      ApiGatewayV2: component("sst.aws.ApiGatewayV2", api),
      ApiGatewayWebSocket: component("sst.aws.ApiGatewayWebSocket", api),
      Function: component("sst.aws.Function", (name) => ({ arn: new Out(`arn:aws:lambda:eu-west-1:123456789012:function:${name}`) })),
      StaticSite: component("sst.aws.StaticSite", () => ({ url: new Out(WEB_URL) })),
      // The purge queue and its consumer (infra/queues.ts, infra/purge.ts): `subscribe` records the consumer's Lambda.
      Queue: component("sst.aws.Queue", (name) => ({
        arn: new Out(`arn:aws:sqs:eu-west-1:123456789012:${name}`),
        url: new Out(`https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`),
        subscribe: (args: unknown, options: unknown) => created.push({ type: "sst.aws.Queue.subscriber", name, args: { ...(args as object), options } }),
      })),
      Bucket: component("sst.aws.Bucket", () => ({
        name: new Out("agorusta-prod-files"),
        nodes: { bucket: { bucketRegionalDomainName: new Out(BUCKET_DOMAIN) } },
      })),
    },
  };
  // In sst.config.ts's order. By computed paths: the root typecheck must not follow them into
  // infra/, whose SST globals only the SST typecheck knows.
  for (const file of ["storage", "api", "realtime", "web", "files", "apiRoutes", "purge"]) await import(/* @vite-ignore */ infra(`infra/${file}.ts`));
});

const one = (type: string, name?: string) => {
  const found = created.filter((c) => c.type === type && (name === undefined || c.name === name));
  expect(found, `${type} ${name ?? ""}`).toHaveLength(1);
  return found[0]!;
};

describe("infra", () => {
  it("grants each Lambda only the DynamoDB actions it uses, on the table and its indexes", () => {
    const lambdas = {
      api: routes.find((r) => r.api === "Api" && r.key === "$default")!.args,
      ws: one("sst.aws.Function", "WsHandler").args,
      fanout: one("sst.aws.Function", "Fanout").args,
      purge: one("sst.aws.Queue.subscriber", "ServerPurges").args,
      expiry: one("sst.aws.Queue.subscriber", "ConnectionExpiries").args,
    };
    for (const [name, args] of Object.entries(lambdas) as Array<[keyof typeof dynamoActions, any]>) {
      const statements = (args.permissions as Array<{ actions: string[]; resources: unknown[] }>).map((p) => ({
        actions: p.actions,
        resources: p.resources.map(unwrap),
      }));
      expect(statements, name).toEqual([{ actions: iamDynamoActions(name), resources: [TABLE_ARN, `${TABLE_ARN}/index/*`] }]);
      for (const action of statements[0]!.actions) expect(action).toMatch(/^dynamodb:(GetItem|Query|PutItem|UpdateItem|DeleteItem|ConditionCheckItem|BatchGetItem|BatchWriteItem)$/);
    }
    // The table's link carries its name and no permission of its own (SST's would be dynamodb:*).
    const link = wrapped.find((w) => w.cls === (globalThis as any).sst.aws.Dynamo)!;
    expect(link).toBeDefined();
    const definition = link.cb({ name: new Out("t") });
    expect(definition.include ?? []).toEqual([]);
    expect(Object.keys(definition.properties)).toEqual(["name"]);
  });

  it("answers CORS for the stage's web origin only: API Gateway's own CORS (every origin) is off", () => {
    expect(one("sst.aws.ApiGatewayV2", "Api").args).toMatchObject({ cors: false });
    const apiRoute = routes.find((r) => r.api === "Api" && r.key === "$default")!;
    expect(unwrap(apiRoute.args.environment.WEB_ORIGIN)).toBe(WEB_URL);
  });

  it("serves the web app with CSP, HSTS, nosniff, a referrer policy and no framing, through CloudFront", () => {
    const policy = one("aws.cloudfront.ResponseHeadersPolicy").args.securityHeadersConfig;
    const csp = String(unwrap(policy.contentSecurityPolicy.contentSecurityPolicy));
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(
      `connect-src 'self' https://api123.execute-api.eu-west-1.amazonaws.com wss://ws123.execute-api.eu-west-1.amazonaws.com https://${BUCKET_DOMAIN};`,
    );
    expect(csp).toContain(`img-src 'self' data: blob: https://${BUCKET_DOMAIN};`);
    expect(policy.strictTransportSecurity).toMatchObject({ accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, override: true });
    expect(policy.contentTypeOptions).toEqual({ override: true });
    expect(policy.referrerPolicy).toEqual({ referrerPolicy: "no-referrer", override: true });
    expect(policy.frameOptions).toEqual({ frameOption: "DENY", override: true });
    // The site's distribution uses it.
    const site = one("sst.aws.StaticSite", "Web").args;
    const cdnArgs = { defaultCacheBehavior: { targetOriginId: "default" } };
    site.transform.cdn(cdnArgs);
    expect(unwrap(cdnArgs.defaultCacheBehavior)).toMatchObject({ targetOriginId: "default", responseHeadersPolicyId: "rhp-123" });
  });

  it("caches the web app's hashed files a year and every other file no-cache, as the local runtime does", () => {
    const { fileOptions } = one("sst.aws.StaticSite", "Web").args.assets as { fileOptions: Array<{ files: string; cacheControl: string }> };
    // SST uploads each file with the last entry that matches it (static-site.ts walks the list backwards, first match wins).
    const deployed = (file: string) => fileOptions.findLast((o) => matchesGlob(file, o.files))?.cacheControl;
    const build = [
      "index.html",
      "_app/version.json",
      "_app/shell-guard.js",
      "_app/immutable/boot.0123456789ab.js",
      "_app/immutable/entry/start.BXMMhV0W.js",
      "_app/immutable/nodes/3.CvptZzxe.js",
      "_app/immutable/assets/0.BMejQUax.css",
    ];
    for (const file of build) expect(deployed(file), file).toBe(cacheControlFor(file));
    expect(deployed("index.html")).toBe("no-cache");
    expect(deployed("_app/version.json")).toBe("no-cache");
    expect(deployed("_app/immutable/entry/start.BXMMhV0W.js")).toBe("public, max-age=31536000, immutable");
    // The installable app (issue 25): its worker and manifest are asked again each time, the manifest with its own type.
    expect(deployed("service-worker.js")).toBe("no-cache");
    expect(deployed("manifest.webmanifest")).toBe("no-cache");
    expect(fileOptions.findLast((o) => matchesGlob("manifest.webmanifest", o.files))).toMatchObject({ contentType: "application/manifest+json" });
  });

  it("answers a missing /_app/ file 404, not 403: CloudFront of this account may list the site's bucket, and a 404 is not kept at the edge", () => {
    const site = one("sst.aws.StaticSite", "Web").args;
    const bucketArgs: Record<string, unknown> = { access: "cloudfront" };
    site.transform.assets(bucketArgs);
    const statements = unwrap(bucketArgs.policy) as any[];
    expect(statements).toHaveLength(1);
    const [listing] = statements;
    expect(listing).toMatchObject({
      actions: ["s3:ListBucket"],
      principals: [{ type: "service", identifiers: ["cloudfront.amazonaws.com"] }],
      paths: [""],
    });
    expect(listing.effect ?? "allow").toBe("allow");
    expect(listing.conditions.map((c: any) => ({ ...c, values: c.values.map(unwrap) }))).toEqual([
      { test: "StringEquals", variable: "AWS:SourceAccount", values: [ACCOUNT] },
    ]);
    // Not a page in place of the 404 (that would be the shell again): only no caching of it.
    const cdnArgs: Record<string, unknown> = { defaultCacheBehavior: { targetOriginId: "default" }, customErrorResponses: [] };
    site.transform.cdn(cdnArgs);
    expect(unwrap(cdnArgs.customErrorResponses)).toEqual([{ errorCode: 404, errorCachingMinTtl: 0 }]);
  });

  it("gives a protected stage's table deletion protection and point-in-time recovery", () => {
    const table = one("sst.aws.Dynamo", "Table").args;
    expect(table.deletionProtection).toBe(true);
    expect(table.transform.table.pointInTimeRecovery).toEqual({ enabled: true });
  });
});

describe("sst.config.ts", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const app = async (stage: string) => {
    (globalThis as any).$config = (c: unknown) => c;
    const config = (await import(/* @vite-ignore */ infra("sst.config.ts"))).default as unknown as { app(input: { stage: string }): { protect: boolean; removal: string } };
    return config.app({ stage });
  };

  it("protects the stages the README deploys for real, and no other, by default", async () => {
    vi.stubEnv("AGORUSTA_PROTECT", "");
    expect(await app("prod")).toMatchObject({ protect: true, removal: "retain" });
    expect(await app("production")).toMatchObject({ protect: true, removal: "retain" });
    expect(await app("alice")).toMatchObject({ protect: false, removal: "remove" });
  });

  it("lets AGORUSTA_PROTECT decide for any stage, and refuses a value it cannot read", async () => {
    vi.stubEnv("AGORUSTA_PROTECT", "true");
    expect(await app("community-eu")).toMatchObject({ protect: true, removal: "retain" });
    vi.stubEnv("AGORUSTA_PROTECT", "false");
    expect(await app("prod")).toMatchObject({ protect: false, removal: "remove" });
    vi.stubEnv("AGORUSTA_PROTECT", "yes please");
    await expect(app("prod")).rejects.toThrow(/AGORUSTA_PROTECT must be true or false/);
  });
});

import { api } from "./api.ts";
import { realtime } from "./realtime.ts";
import { files } from "./files.ts";
import { hstsMaxAgeSeconds, referrerPolicy, webContentSecurityPolicy } from "../packages/functions/src/http/securityHeaders.ts";
import { hashedDir, immutableCacheControl, revalidateCacheControl } from "../packages/functions/src/http/webCaching.ts";

/** `https://host` of a URL: what a CSP source and a browser's `Origin` name (the WebSocket URL carries a `/$default` path). */
export const origin = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
};

/**
 * The security headers of every page and asset, set by CloudFront on each answer: the same policy
 * as the local runtime sends (packages/functions/src/http/securityHeaders.ts), with the API's, the
 * WebSocket API's and the files bucket's origins, which live elsewhere when deployed, plus HSTS.
 */
const headers = new aws.cloudfront.ResponseHeadersPolicy("WebSecurityHeaders", {
  comment: `Agorusta ${$app.stage}: CSP, HSTS, nosniff, referrer and framing`,
  securityHeadersConfig: {
    contentSecurityPolicy: {
      // Uploads are PUT to, and files read from, the bucket's own origin: the regional virtual-host
      // name the SDK signs URLs for (https://<bucket>.s3.<region>.amazonaws.com).
      contentSecurityPolicy: $resolve([api.url, realtime.url, files.nodes.bucket.bucketRegionalDomainName]).apply(([apiUrl, wsUrl, bucketDomain]) =>
        webContentSecurityPolicy({
          connectTo: [origin(apiUrl), origin(wsUrl), `https://${bucketDomain}`],
          imagesFrom: [`https://${bucketDomain}`],
        }),
      ),
      override: true,
    },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: "DENY", override: true },
    referrerPolicy: { referrerPolicy, override: true },
    strictTransportSecurity: { accessControlMaxAgeSec: hstsMaxAgeSeconds, includeSubdomains: true, preload: false, override: true },
  },
});

/**
 * The web app as the single-page app it is locally (adapter-static, index.html fallback) on S3 and
 * CloudFront; StaticSite answers unknown paths with index.html. The API and WebSocket URLs are
 * baked in at build time.
 *
 * Caching and releases (docs/decisions.md), as the local runtime does (packages/local/src/webApp.ts):
 * - Each object's Cache-Control is set at upload: hashed files (`_app/immutable/…`) for a year,
 *   everything else, the shell first, `no-cache`. SST's default would keep every other file a
 *   year too (`_app/version.json`, by which the app learns of a release, among them). The later
 *   entry wins for a file both match. CloudFront's managed CachingOptimized policy follows the
 *   objects' Cache-Control (keeping a `no-cache` object at most its minimum TTL, 1 s), and each
 *   deploy invalidates `/*`. The service worker (`service-worker.js`) and the manifest are among
 *   the `no-cache` files: a release's new worker and manifest reach browsers at their next check.
 * - A missing `/_app/…` file is 404: SST's router sends `/_app/…` to S3 as it is (only other
 *   unknown paths get the shell), and S3 answers a missing key 404 only to a reader who may list
 *   the bucket, 403 to anyone else. So CloudFront, from this account's distributions only, may
 *   list it (no listing is reachable through the site: the router never sends the bucket's root
 *   and the cache policy forwards no query string). A 404 is not kept at the edge, so a file
 *   uploaded a moment later by a deploy in progress is found at once.
 */
export const web = new sst.aws.StaticSite("Web", {
  path: "packages/web",
  build: { command: "npm run build", output: "build" },
  environment: {
    PUBLIC_API_URL: api.url,
    PUBLIC_WS_URL: realtime.url,
  },
  assets: {
    fileOptions: [
      { files: "**", cacheControl: revalidateCacheControl },
      { files: `${hashedDir}/**`, cacheControl: immutableCacheControl },
      // The installable app's manifest (issue 25): asked again each time like the worker
      // (`service-worker.js`, the `**` rule), with the type browsers look for.
      { files: "manifest.webmanifest", cacheControl: revalidateCacheControl, contentType: "application/manifest+json" },
    ],
  },
  transform: {
    assets: (args) => {
      args.policy = $output(args.policy ?? []).apply((statements) => [
        ...statements,
        {
          actions: ["s3:ListBucket"],
          principals: [{ type: "service" as const, identifiers: ["cloudfront.amazonaws.com"] }],
          conditions: [{ test: "StringEquals", variable: "AWS:SourceAccount", values: [aws.getCallerIdentityOutput({}).accountId] }],
          paths: [""],
        },
      ]);
    },
    cdn: (args) => {
      args.defaultCacheBehavior = $output(args.defaultCacheBehavior).apply((behavior) =>
        headers.id.apply((id) => ({ ...behavior, responseHeadersPolicyId: id })),
      );
      args.customErrorResponses = [{ errorCode: 404, errorCachingMinTtl: 0 }];
    },
  },
});

/** The web app's origin, as browsers send it in `Origin` (under `sst dev`, the Vite dev server's). */
export const webOrigin = (site: sst.aws.StaticSite) => $output(site.url).apply(origin);

/**
 * The browser PUTs uploads to, and reads files from, the bucket's own origin: only the web app's
 * origin may, with the one header an upload sends. Set here because the bucket must exist before
 * the API (which links it), and the web app's URL only after the API.
 */
export const filesCors = new aws.s3.BucketCorsConfigurationV2("FilesCors", {
  bucket: files.name,
  corsRules: [
    {
      allowedOrigins: [web.url],
      allowedMethods: ["PUT", "GET", "HEAD"],
      allowedHeaders: ["content-type"],
      exposeHeaders: ["etag"],
      maxAgeSeconds: 3600,
    },
  ],
});

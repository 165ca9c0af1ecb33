import { api } from "./api.ts";
import { realtime } from "./realtime.ts";
import { files } from "./files.ts";
import { hstsMaxAgeSeconds, referrerPolicy, webContentSecurityPolicy } from "../packages/functions/src/http/securityHeaders.ts";

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
 */
export const web = new sst.aws.StaticSite("Web", {
  path: "packages/web",
  build: { command: "npm run build", output: "build" },
  environment: {
    PUBLIC_API_URL: api.url,
    PUBLIC_WS_URL: realtime.url,
  },
  transform: {
    cdn: (args) => {
      args.defaultCacheBehavior = $output(args.defaultCacheBehavior).apply((behavior) =>
        headers.id.apply((id) => ({ ...behavior, responseHeadersPolicyId: id })),
      );
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

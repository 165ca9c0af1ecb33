import { api } from "./api.ts";
import { realtime } from "./realtime.ts";
import { files } from "./files.ts";

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
});

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

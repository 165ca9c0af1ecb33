import { api } from "./api.ts";
import { realtime } from "./realtime.ts";

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

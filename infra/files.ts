import { links } from "../packages/functions/src/lambda/links.ts";
import { PENDING_PREFIX } from "../packages/core/src/attachments/keys.ts";

/**
 * Attachments, avatars and server icons: one private bucket per stage (SST blocks public access
 * by default; files are read only through signed URLs). Uploads never attached stay under
 * `pending/`, which this rule empties after a day (docs/decisions.md, "Attachments"). CORS for
 * the web app's origin is set in web.ts, once that origin exists.
 */
export const files = new sst.aws.Bucket(links.files, {
  cors: false,
  lifecycle: [{ id: "unused-uploads", prefix: PENDING_PREFIX, expiresIn: "1 day" }],
});

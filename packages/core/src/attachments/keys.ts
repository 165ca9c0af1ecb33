/**
 * Where files live in the bucket. Plain data: infra/files.ts imports it for the lifecycle rule.
 * - `pending/<uploadId>`: an upload's bytes until it is used (expired by the lifecycle rule after a day);
 * - `files/<conversationId>/<uploadId>`: an attachment;
 * - `avatars/<userId>/<uploadId>`, `icons/<serverId>/<uploadId>`: a new key for each new image.
 */
export const PENDING_PREFIX = "pending/";

/**
 * What the web app adds to the contract's replies, reactions and attachments (api.md "Replies,
 * reactions, attachments"): the shapes and limits themselves are core's.
 */
export type { Attachment, Reaction, ReplyRef, Upload } from "@agorusta/core/views";
// The rules' file itself, not the folder's index: that brings the S3 client along, which has no
// place in a browser bundle (test/bundle.test.ts).
export { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_IMAGE_BYTES, INLINE_TYPES } from "@agorusta/core/attachments";

/** What a new message carries besides its text. */
export interface SendExtras {
  replyTo?: string;
  attachments?: string[];
}

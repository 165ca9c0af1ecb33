/**
 * What may be uploaded, and how stored files are served: the rules shared by attachments,
 * avatars and server icons.
 */
import type { Db } from "../model/index.ts";
import type { FileStore } from "./storage.ts";

/** What the attachment, avatar and icon functions need: the table and the file store. */
export interface Stores {
  db: Db;
  files: FileStore;
}

/** Served inline (shown by the browser); everything else is a download. */
export const INLINE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** 25 MiB: an attachment's limit. */
export const MAX_ATTACHMENT_BYTES = 26_214_400;
/** 2 MiB: an avatar's or a server icon's limit. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** At most this many files on one message. */
export const MAX_ATTACHMENTS = 10;
/** How long a presigned PUT works. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** An upload never attached within this time is deleted. */
export const UNUSED_UPLOAD_SECONDS = 24 * 3600;
/** The prefix of objects not yet attached; the bucket's lifecycle rule expires it after a day. */
export { PENDING_PREFIX } from "./keys.ts";

/**
 * `Content-Disposition` for a stored file: images of the inline types inline, anything else as
 * a download, with the filename both as an ASCII fallback and as RFC 5987 UTF-8.
 */
export function dispositionOf(filename: string, contentType: string): string {
  const kind = INLINE_TYPES.has(contentType) ? "inline" : "attachment";
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  // A name stored before names had to be well-formed may hold a lone surrogate, on which
  // encodeURIComponent throws: it is named with U+FFFD in its place, as the API shows it.
  const encoded = encodeURIComponent(filename.toWellFormed()).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The signed GET of an attached file, with its disposition and type forced in the response. */
export const fileUrl = (files: FileStore, a: { key: string; filename: string; contentType: string }) =>
  files.presignGet(a.key, { contentType: a.contentType, disposition: dispositionOf(a.filename, a.contentType) });

/** The signed GET of an avatar or icon (always a checked image of an inline type). */
export const imageUrl = (files: FileStore, key: string) => files.presignGet(key, { disposition: "inline" });

/**
 * A signed URL, or `fallback` when it cannot be made, logged: a stored key a faulty writer left
 * malformed (a lone surrogate: the signer's encodeURIComponent throws) costs its item its link,
 * never the whole page or answer it is part of (issue 21).
 */
export async function signedOr<T>(what: string, sign: () => Promise<string>, fallback: T): Promise<string | T> {
  try {
    return await sign();
  } catch (e) {
    console.error(`could not sign the URL of ${what}; shown without it:`, e);
    return fallback;
  }
}

/** An avatar's or icon's URL, or null when there is none (or no file store to sign with, or it cannot be signed). */
export const imageUrlOf = async (files: FileStore | undefined, key: string | undefined): Promise<string | null> =>
  files && key ? signedOr(`the image ${JSON.stringify(key)}`, () => imageUrl(files, key), null) : null;

/**
 * Files as the web app handles them: what may be attached (refused before any byte is sent), how
 * sizes and image boxes are shown, and sending the bytes straight to storage with the presigned
 * request the API handed out (`Upload`) — XMLHttpRequest, because fetch still reports no upload
 * progress. No Svelte: the unit tests import it directly.
 */
import * as v from "valibot";
import { filename } from "@agorusta/core/schemas";
import { INLINE_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from "./media.ts";

export interface PresignedRequest {
  uploadUrl: string;
  method: "PUT";
  headers: Record<string, string>;
}

/** Headers a page may not set (the browser sets them itself, e.g. Content-Length from the body). */
const FORBIDDEN = /^(content-length|host|connection|expect|keep-alive|te|trailer|transfer-encoding|upgrade|cookie|date|origin|referer|via)$/i;

export class UploadError extends Error {
  readonly cancelled: boolean;
  constructor(message: string, cancelled = false) {
    super(message);
    this.name = "UploadError";
    this.cancelled = cancelled;
  }
}

/**
 * PUTs `body` to the signed URL with exactly the signed headers. `onprogress` gets the bytes sent
 * so far; `signal` cancels. Rejects with an `UploadError` whose message can be shown.
 */
export function putFile(
  request: PresignedRequest,
  body: Blob,
  onprogress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UploadError("Cancelled.", true));
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.uploadUrl);
    for (const [name, value] of Object.entries(request.headers)) {
      if (!FORBIDDEN.test(name)) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => onprogress(e.loaded, e.lengthComputable ? e.total : body.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onprogress(body.size, body.size);
        resolve();
      } else {
        reject(new UploadError(xhr.status === 403 ? "The upload was refused (its link may have expired). Try again." : `The upload failed (${xhr.status}). Try again.`));
      }
    };
    xhr.onerror = () => reject(new UploadError("The upload failed: the connection was lost. Try again."));
    xhr.onabort = () => reject(new UploadError("Cancelled.", true));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** "340 KB", "2.4 MB": sizes as people read them (powers of 1024, as the limits are written). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value)} ${units[unit]}`;
}

/** Why a file cannot join the next message (`queued` files already do), or null: said before any byte is sent. */
export function attachmentRefusal(name: string, size: number, queued: number): string | null {
  if (size > MAX_ATTACHMENT_BYTES) {
    const limit = formatSize(MAX_ATTACHMENT_BYTES);
    const shown = formatSize(size);
    return `${name} is ${shown === limit ? `just over ${limit}` : shown}: files can be at most ${limit}.`;
  }
  if (size === 0) return `${name} is empty.`;
  if (queued >= MAX_ATTACHMENTS) return `${name}: a message can carry at most ${MAX_ATTACHMENTS} files.`;
  // The API's own rule for names (core/src/schemas.ts). The name is not repeated: one with a
  // right-to-left override would show reordered here too.
  const named = v.safeParse(filename, name);
  if (!named.success) return `A file cannot be attached under its name: ${named.issues[0].message.replace(/^filename /, "a file name ")} Rename it and try again.`;
  return null;
}

/** The content type to declare: the browser's guess, or plain bytes when it has none. */
export const contentTypeOf = (file: Blob): string => file.type || "application/octet-stream";

/** Image types the API serves inline (api.md "Attachments"); anything else is a download. */
export const isInlineImage = (contentType: string): boolean => INLINE_TYPES.has(contentType);

/**
 * The box an image is drawn in: its own size, shrunk to fit `max` (never grown), so the space is
 * reserved before the bytes arrive and the list does not jump.
 */
export function fitBox(width: number, height: number, max: { width: number; height: number }): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: Math.min(max.width, 320), height: Math.min(max.height, 240) };
  const scale = Math.min(1, max.width / width, max.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

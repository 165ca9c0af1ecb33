/**
 * Uploads: a presigned PUT straight to the file store, then, when the upload is used (attached to
 * a message, or made an avatar or a server icon), a check of the real object against what was
 * declared. S3 already refuses a PUT of another size or type (both are signed in); the embedded
 * store does not check signatures, so the check at attach time is what makes the rule hold there.
 */
import { imageSize } from "image-size";
import type { UploadItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { getEach } from "../store/batches.ts";
import type { Upload } from "../views.ts";
import {
  INLINE_TYPES,
  MAX_ATTACHMENT_BYTES,
  MAX_IMAGE_BYTES,
  PENDING_PREFIX,
  UNUSED_UPLOAD_SECONDS,
  UPLOAD_URL_SECONDS,
  type Stores,
} from "./files.ts";

export type Purpose = UploadItem["purpose"];

/** A checked file, as a message (or a user or server) records it. */
export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  key: string;
  width?: number;
  height?: number;
}

const refuse = (message: string, path = "attachments") => new AppError("invalid_request", message, { issues: [{ path, message }] });

/**
 * Creates the upload and its presigned PUT. Avatars and icons must be images of an inline type
 * and at most 2 MiB; attachments any type up to 25 MiB (more is 413, as the contract says).
 */
export async function createUpload(
  stores: Stores,
  input: { ownerId: string; purpose: Purpose; scopeId: string; filename: string; contentType: string; size: number },
): Promise<Upload> {
  const image = input.purpose !== "message";
  const max = image ? MAX_IMAGE_BYTES : MAX_ATTACHMENT_BYTES;
  if (input.size > max) {
    throw new AppError("payload_too_large", `The file is larger than ${image ? "2 MiB" : "25 MiB"}.`, {
      issues: [{ path: "size", message: `size must be at most ${max} bytes.` }],
    });
  }
  if (image && !INLINE_TYPES.has(input.contentType)) throw refuse("Only PNG, JPEG, GIF or WebP images can be used.", "contentType");
  const uploadId = newId();
  const now = stores.db.clock.now();
  const item: UploadItem = {
    uploadId,
    ownerId: input.ownerId,
    purpose: input.purpose,
    scopeId: input.scopeId,
    filename: input.filename,
    contentType: input.contentType,
    size: input.size,
    pendingKey: `${PENDING_PREFIX}${uploadId}`,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + UNUSED_UPLOAD_SECONDS * 1000).toISOString(),
    ttl: Math.ceil(now / 1000) + UNUSED_UPLOAD_SECONDS,
  };
  const [put] = await Promise.all([
    stores.files.presignPut(item.pendingKey, item, UPLOAD_URL_SECONDS),
    stores.db.entities.uploads.create(item).go(),
  ]);
  return {
    id: uploadId,
    uploadUrl: put.url,
    method: "PUT",
    headers: put.headers,
    expiresAt: new Date(now + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

/** image-size's names for the inline types. */
const IMAGE_TYPES: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };
/** Enough of the file for image-size to find the dimensions (JPEG's can follow a large EXIF block). */
const IMAGE_HEAD_BYTES = 256 * 1024;

/** Width and height as the browser shows them (EXIF orientations 5–8 turn the picture a quarter). */
async function dimensions(stores: Stores, upload: UploadItem): Promise<{ width: number; height: number } | null> {
  const expected = IMAGE_TYPES[upload.contentType];
  if (!expected) return null;
  const bytes = await stores.files.readStart(upload.pendingKey, Math.min(IMAGE_HEAD_BYTES, upload.size));
  let found: ReturnType<typeof imageSize>;
  try {
    found = imageSize(bytes);
  } catch {
    throw refuse(`${upload.filename} is not a ${upload.contentType} image.`);
  }
  if (found.type !== expected || !found.width || !found.height) throw refuse(`${upload.filename} is not a ${upload.contentType} image.`);
  const turned = (found.orientation ?? 1) >= 5;
  return turned ? { width: found.height, height: found.width } : { width: found.width, height: found.height };
}

/**
 * Checks the uploads for use: each the caller's own, for this purpose and scope, unused and
 * unexpired, and its object in the store of exactly the declared size and type (images: really
 * that kind of image, and their dimensions read). Then copies each object out of `pending/` to
 * `finalKey`; the caller marks the uploads used in its own transaction (`claimUploads`) and
 * calls `settle` with the outcome.
 */
export async function prepareUploads(
  stores: Stores,
  input: { ownerId: string; purpose: Purpose; scopeId: string; uploadIds: string[]; finalKey: (u: UploadItem) => string },
): Promise<{ files: StoredFile[]; settle(committed: boolean): Promise<void> }> {
  const path = input.purpose === "message" ? "attachments" : "uploadId";
  const ids = input.uploadIds;
  if (new Set(ids).size !== ids.length) throw refuse("The same upload is listed twice.", path);
  const found = await getEach(
    ids.map((uploadId) => ({ uploadId })),
    (keys) => stores.db.entities.uploads.get(keys).go(),
  );
  const byId = new Map(found.map((u) => [u.uploadId, u]));
  const uploads = ids.map((id) => {
    const u = byId.get(id);
    const usable =
      u && u.ownerId === input.ownerId && u.purpose === input.purpose && u.scopeId === input.scopeId && !u.usedBy &&
      Date.parse(u.expiresAt) > stores.db.clock.now();
    if (!usable) {
      throw refuse(`${id} is not one of your unused uploads for ${input.purpose === "message" ? "this conversation" : `this ${input.purpose}`}.`, path);
    }
    return u;
  });
  const files = await Promise.all(
    uploads.map(async (u): Promise<StoredFile> => {
      const stored = await stores.files.head(u.pendingKey);
      if (!stored) throw refuse(`${u.filename} has not been uploaded yet.`, path);
      if (stored.size !== u.size) throw refuse(`${u.filename} is ${stored.size} bytes, not the ${u.size} declared.`, path);
      if ((stored.contentType ?? "").toLowerCase() !== u.contentType) {
        throw refuse(`${u.filename} was stored as ${stored.contentType ?? "no type"}, not the ${u.contentType} declared.`, path);
      }
      const size = await dimensions(stores, u);
      return { id: u.uploadId, filename: u.filename, contentType: u.contentType, size: u.size, key: input.finalKey(u), ...size };
    }),
  );
  await Promise.all(uploads.map((u, i) => stores.files.copy(u.pendingKey, files[i]!.key)));
  return {
    files,
    // Committed: the pending objects are no longer needed (the lifecycle rule would get them anyway).
    // Not: the copies belong to nothing, and go.
    settle: async (committed) => {
      await stores.files.remove(committed ? uploads.map((u) => u.pendingKey) : files.map((f) => f.key)).catch((e: unknown) => {
        console.error("could not delete files after an attach:", e);
      });
    },
  };
}

/** A claim lost to another request that used the same upload first. */
export const uploadAlreadyUsed = () => refuse("An upload was used by another request at the same time.");

/**
 * Uploading an avatar or a server icon: the same presigned path as attachments (declare, PUT the
 * bytes, then make the upload the picture), with the picture's own rules checked first — one of
 * the inline image types, at most 2 MiB — so a wrong file is refused before any byte is sent.
 */
import { isApiError } from "./api.ts";
import { INLINE_TYPES, MAX_IMAGE_BYTES, type Upload } from "./media.ts";
import { formatSize, putFile, UploadError } from "./files.ts";

export interface PictureRoutes {
  request(file: { filename: string; contentType: string; size: number }): Promise<Upload>;
  /** Makes the upload the picture. */
  use(uploadId: string): Promise<void>;
  remove(): Promise<void>;
}

/** Why this file cannot be a picture, or null. */
export function pictureProblem(file: File): string | null {
  if (!INLINE_TYPES.has(file.type)) return `${file.name || "That file"} is not a PNG, JPEG, GIF or WebP image.`;
  if (file.size > MAX_IMAGE_BYTES) return `${file.name} is ${formatSize(file.size)}: a picture can be at most ${formatSize(MAX_IMAGE_BYTES)}.`;
  return null;
}

export class PictureUpload {
  status = $state<"idle" | "uploading" | "saving" | "removing">("idle");
  progress = $state(0);
  error = $state<string | null>(null);
  #routes: PictureRoutes;
  #abort: AbortController | null = null;

  constructor(routes: PictureRoutes) {
    this.#routes = routes;
  }

  async upload(file: File): Promise<void> {
    this.error = pictureProblem(file);
    if (this.error) return;
    this.status = "uploading";
    this.progress = 0;
    this.#abort = new AbortController();
    try {
      const upload = await this.#routes.request({ filename: file.name, contentType: file.type, size: file.size });
      await putFile(upload, file, (sent, total) => (this.progress = total ? sent / total : 1), this.#abort.signal);
      this.status = "saving";
      await this.#routes.use(upload.id);
    } catch (e) {
      if (!(e instanceof UploadError && e.cancelled)) this.error = isApiError(e) || e instanceof UploadError ? e.message : "The picture could not be saved.";
    } finally {
      this.status = "idle";
      this.#abort = null;
    }
  }

  cancel(): void {
    this.#abort?.abort();
  }

  async remove(): Promise<void> {
    this.error = null;
    this.status = "removing";
    try {
      await this.#routes.remove();
    } catch (e) {
      this.error = isApiError(e) ? e.message : "The picture could not be removed.";
    } finally {
      this.status = "idle";
    }
  }
}

/**
 * The files picked for the next message: each asks the API for a presigned upload, sends its
 * bytes with progress, and can be cancelled or removed. A file over the limit is refused before
 * a single byte is sent, with the reason shown in its place.
 */
import { isApiError } from "./api.ts";
import type { Upload } from "./media.ts";
import { attachmentRefusal, contentTypeOf, isInlineImage, putFile, UploadError } from "./files.ts";

export type UploadStatus = "uploading" | "done" | "failed" | "refused";

/** Asks the API for a presigned upload of this file. */
export type RequestUpload = (file: { filename: string; contentType: string; size: number }) => Promise<Upload>;

let nextKey = 0;

export class PendingUpload {
  readonly key = ++nextKey;
  readonly file: File;
  readonly name: string;
  status = $state<UploadStatus>("uploading");
  sent = $state(0);
  error = $state<string | null>(null);
  uploadId: string | null = null;
  /** A local preview of an image while it is on its way. */
  readonly preview: string | null;
  #abort = new AbortController();

  constructor(file: File) {
    this.file = file;
    this.name = file.name || "pasted file";
    this.preview = isInlineImage(file.type) ? URL.createObjectURL(file) : null;
  }

  get progress(): number {
    return this.file.size ? Math.min(1, this.sent / this.file.size) : 1;
  }

  async start(request: RequestUpload): Promise<void> {
    this.status = "uploading";
    this.error = null;
    this.sent = 0;
    this.#abort = new AbortController();
    try {
      const upload = await request({ filename: this.name, contentType: contentTypeOf(this.file), size: this.file.size });
      if (this.#abort.signal.aborted) return;
      await putFile(upload, this.file, (sent) => (this.sent = sent), this.#abort.signal);
      this.uploadId = upload.id;
      this.status = "done";
    } catch (e) {
      if (e instanceof UploadError && e.cancelled) return;
      this.status = "failed";
      this.error = isApiError(e) || e instanceof UploadError ? e.message : "The upload failed. Try again.";
    }
  }

  refuse(reason: string): void {
    this.status = "refused";
    this.error = reason;
  }

  cancel(): void {
    this.#abort.abort();
  }

  dispose(): void {
    this.cancel();
    if (this.preview) URL.revokeObjectURL(this.preview);
  }
}

export class Uploads {
  items = $state.raw<PendingUpload[]>([]);
  #request: RequestUpload;

  constructor(request: RequestUpload) {
    this.#request = request;
  }

  /** Files picked, dropped or pasted: each starts uploading, or is refused with its reason. */
  add(files: Iterable<File>): void {
    const added: PendingUpload[] = [];
    let count = this.items.filter((u) => u.status !== "refused").length;
    for (const file of files) {
      const item = new PendingUpload(file);
      const reason = attachmentRefusal(item.name, file.size, count);
      if (reason) item.refuse(reason);
      else {
        count++;
        void item.start(this.#request);
      }
      added.push(item);
    }
    this.items = [...this.items, ...added];
  }

  retry(item: PendingUpload): void {
    if (item.status === "failed") void item.start(this.#request);
  }

  /** Cancels it if it is on its way, and takes it off the message. */
  remove(item: PendingUpload): void {
    item.dispose();
    this.items = this.items.filter((u) => u !== item);
  }

  /** Still sending bytes: the message waits for them. */
  get busy(): boolean {
    return this.items.some((u) => u.status === "uploading");
  }

  /** The uploads the next message carries. */
  get ready(): string[] {
    return this.items.flatMap((u) => (u.status === "done" && u.uploadId ? [u.uploadId] : []));
  }

  /** Sent with a message (or the conversation closed): the queue starts empty again. */
  clear(): void {
    for (const item of this.items) item.dispose();
    this.items = [];
  }
}

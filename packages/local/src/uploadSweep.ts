import { PENDING_PREFIX, UNUSED_UPLOAD_SECONDS, type FileStore } from "@agorusta/core/attachments";

/**
 * The local stand-in for the bucket's lifecycle rule (infra/files.ts): objects under `pending/`
 * (uploads never attached) older than a day are deleted, at start and then every hour. Their
 * upload items expire by the table's TTL, as deployed (DynamoDB Local has no TTL sweeper; an
 * expired upload is refused by its `expiresAt` whatever is left of it).
 */
export function startUploadSweep(files: FileStore, everyMs = 3600_000): { stop(): void; sweep(): Promise<number> } {
  const sweep = async () => {
    const old = await files.listOlderThan(PENDING_PREFIX, new Date(Date.now() - UNUSED_UPLOAD_SECONDS * 1000));
    if (old.length) await files.remove(old);
    return old.length;
  };
  const run = () => void sweep().catch((e: unknown) => console.error("upload sweep failed:", e));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}

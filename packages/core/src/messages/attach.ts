/**
 * Sending a message with attachments: the uploads are checked and copied beside the
 * conversation's other files before the change, and claimed (marked used) in the change's own
 * transaction, so an upload is used by one message even when two race for it.
 */
import type { Write, WriteEntities } from "../model/index.ts";
import { prepareUploads, uploadAlreadyUsed, type StoredFile } from "../attachments/uploads.ts";
import type { Stores } from "../attachments/files.ts";
import { newId } from "../store/ids.ts";

/**
 * The uploads checked and copied to `files/<conversation>/<attempt>/<upload>`. The attempt is this
 * request's own (the message's id is only known inside its change): two requests racing for one
 * upload copy to different keys, so the loser removing its copies never touches the winner's.
 */
export async function readyAttachments(
  stores: Stores,
  input: { ownerId: string; conversationId: string; uploadIds: string[] | undefined },
) {
  if (!input.uploadIds?.length) return null;
  const attempt = newId();
  return prepareUploads(stores, {
    ownerId: input.ownerId,
    purpose: "message",
    scopeId: input.conversationId,
    uploadIds: input.uploadIds,
    finalKey: (u) => `files/${input.conversationId}/${attempt}/${u.uploadId}`,
  });
}

export type ReadyAttachments = Awaited<ReturnType<typeof readyAttachments>>;

/** `attachments` as the message item stores them. */
export const attachmentsOf = (ready: ReadyAttachments): StoredFile[] | undefined => (ready ? ready.files : undefined);

const CLAIM = "upload:";

/** The writes that mark the uploads used by `usedBy`, each only if still unused; named `upload:<id>`. */
export function claimUploads(tx: WriteEntities, ready: ReadyAttachments, usedBy: string): Record<string, Write> {
  return Object.fromEntries(
    (ready?.files ?? []).map((f) => [
      `${CLAIM}${f.id}`,
      tx.uploads
        .patch({ uploadId: f.id })
        .set({ usedBy })
        .remove(["ttl"])
        .where(({ usedBy: used }, { notExists }) => notExists(used))
        .commit(),
    ]),
  );
}

/**
 * Runs the change that claims the uploads: committed, their pending objects go; refused or
 * failed, the copies go. An upload another request used first is a 400.
 */
export async function claimingUploads<R extends { committed: boolean; refused?: ReadonlySet<string> }>(
  ready: ReadyAttachments,
  run: () => Promise<R>,
): Promise<R> {
  let result: R;
  try {
    result = await run();
  } catch (e) {
    await ready?.settle(false);
    throw e;
  }
  await ready?.settle(result.committed);
  if (!result.committed && [...(result.refused ?? [])].some((name) => name.startsWith(CLAIM))) throw uploadAlreadyUsed();
  return result;
}

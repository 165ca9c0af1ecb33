/**
 * Sending a message with attachments and a reply: the checks both kinds of conversation share,
 * and the one transaction that stores the message and marks its uploads used.
 */
import type { Db } from "../model/index.ts";
import { transact } from "../store/transactions.ts";
import { prepareUploads, uploadAlreadyUsed, type StoredFile } from "../attachments/uploads.ts";
import type { Stores } from "../attachments/files.ts";

export type Tx = Parameters<Parameters<Db["transaction"]["write"]>[0]>[0];
type Commit = ReturnType<Tx["messages"]["create"]>["commit"] extends () => infer C ? C : never;

/** The transaction items that mark uploads used by `usedBy`, each only if still unused. */
export const claimUploads = (tx: Tx, uploadIds: string[], usedBy: string) =>
  uploadIds.map((uploadId) =>
    tx.uploads
      .patch({ uploadId })
      .set({ usedBy })
      .remove(["ttl"])
      .where(({ usedBy: used }, { notExists }) => notExists(used))
      .commit(),
  );

/** The uploads checked and copied next to the message's other files (`files/<conversation>/<message>/<upload>`). */
export async function readyAttachments(
  stores: Stores,
  input: { ownerId: string; conversationId: string; messageId: string; uploadIds: string[] | undefined },
) {
  if (!input.uploadIds?.length) return null;
  return prepareUploads(stores, {
    ownerId: input.ownerId,
    purpose: "message",
    scopeId: input.conversationId,
    uploadIds: input.uploadIds,
    finalKey: (u) => `files/${input.conversationId}/${input.messageId}/${u.uploadId}`,
  });
}

export type ReadyAttachments = Awaited<ReturnType<typeof readyAttachments>>;

/** `attachments` as the message item stores them. */
export const attachmentsOf = (ready: ReadyAttachments): StoredFile[] | undefined => (ready ? ready.files : undefined);

/**
 * Runs the message's transaction with its uploads' claims after `writes`; an upload another
 * request used first cancels it all (400), and the copied files go.
 */
export async function writeMessage(db: Db, messageId: string, ready: ReadyAttachments, writes: (tx: Tx) => Commit[]): Promise<void> {
  const ids = ready?.files.map((f) => f.id) ?? [];
  let count = 0;
  const codes = await transact(() =>
    db.transaction
      .write((tx) => {
        const own = writes(tx);
        count = own.length;
        return [...own, ...(claimUploads(tx, ids, messageId) as unknown as Commit[])];
      })
      .go(),
  );
  if (ready) await ready.settle(!codes);
  if (codes?.slice(count).includes("ConditionalCheckFailed")) throw uploadAlreadyUsed();
  if (codes) throw new Error(`send message transaction canceled: ${codes.join(",")}`);
}


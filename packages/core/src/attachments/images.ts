/**
 * Avatars (and, through `swapImage`, server icons: servers/icon.ts), through the same upload path as attachments (images of an inline
 * type, at most 2 MiB). Each new image gets a new object key (`avatars/<userId>/<uploadId>.<attempt>`), so
 * a URL never shows another picture than the one it was made for and can be cached; the user or
 * server item holds the current key, replaced under the condition that it is still the one read
 * (of two racing changes one wins; the other's copy is removed), and the old object is deleted.
 */
import type { UserItem, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { transact } from "../store/transactions.ts";
import { newId } from "../store/ids.ts";
import { meView, userView, type Me, type Upload, type User } from "../views.ts";
import { createUpload, prepareUploads, uploadAlreadyUsed } from "./uploads.ts";
import { imageUrlOf, type Stores } from "./files.ts";

type File = { filename: string; contentType: string; size: number };

export const createAvatarUpload = (stores: Stores, userId: string, file: File): Promise<Upload> =>
  createUpload(stores, { ...file, ownerId: userId, purpose: "avatar", scopeId: userId });

type Tx = WriteEntities;

/**
 * Swaps the image key of one item: `write` builds the item's update conditioned on its current
 * key being `from`; the upload (when there is one) is claimed in the same transaction.
 */
export async function swapImage(
  stores: Stores,
  input: { uploadId?: string; ownerId: string; purpose: "avatar" | "icon"; scopeId: string; prefix: string },
  read: () => Promise<string | undefined>,
  write: (tx: Tx, to: string | undefined, from: string | undefined) => unknown,
  /** Writes that commit with the swap (a server icon's audit entry). */
  also: (tx: Tx) => Record<string, Write> = () => ({}),
): Promise<string | undefined> {
  const ready = input.uploadId
    ? await prepareUploads(stores, {
        ownerId: input.ownerId,
        purpose: input.purpose,
        scopeId: input.scopeId,
        uploadIds: [input.uploadId],
        // A key of this request's own: of two requests racing with one upload, the loser removes
        // only its copy.
        finalKey: (u) => `${input.prefix}/${input.scopeId}/${u.uploadId}.${newId()}`,
      })
    : null;
  const to = ready?.files[0]!.key;
  for (let attempt = 1; ; attempt++) {
    const from = await read();
    const refused = await transact(stores.db, (tx): Record<string, Write> => {
      const writes: Record<string, Write> = { ...also(tx), item: write(tx, to, from) as Write };
      if (input.uploadId) {
        writes.upload = tx.uploads
          .patch({ uploadId: input.uploadId })
          .set({ usedBy: input.purpose })
          .remove(["ttl"])
          .where(({ usedBy }, { notExists }) => notExists(usedBy))
          .commit();
      }
      return writes;
    });
    if (!refused.size) {
      await ready?.settle(true);
      if (from && from !== to) await stores.files.remove([from]);
      return to;
    }
    if (refused.has("upload")) {
      await ready?.settle(false);
      throw uploadAlreadyUsed();
    }
    // The item changed meanwhile (another new image, or it is gone): read it again.
    if (attempt < 5) continue;
    await ready?.settle(false);
    throw new AppError("not_found");
  }
}

/** The condition that an item's image key is still `from` (absent: none), for `swapImage`'s `write`. */
export const keyIs = (from: string | undefined) => (a: { avatarKey?: unknown; iconKey?: unknown }, op: { eq: (a: unknown, v: string) => string; notExists: (a: unknown) => string }, attr: "avatarKey" | "iconKey") =>
  from === undefined ? op.notExists(a[attr]) : op.eq(a[attr], from);

async function setAvatarKey(stores: Stores, userId: string, uploadId: string | undefined): Promise<UserItem> {
  const read = async () => {
    const { data } = await stores.db.entities.users.get({ userId }).go({ consistent: true });
    if (!data) throw new AppError("unauthorized");
    return data;
  };
  let user: UserItem | undefined;
  const key = await swapImage(
    stores,
    { uploadId, ownerId: userId, purpose: "avatar", scopeId: userId, prefix: "avatars" },
    async () => (user = await read()).avatarKey,
    (tx, to, from) => {
      const patch = tx.users.patch({ userId });
      const changed = to ? patch.set({ avatarKey: to }) : patch.remove(["avatarKey"]);
      return changed.where((a, op) => keyIs(from)(a, op as never, "avatarKey")).commit();
    },
  );
  return { ...user!, avatarKey: key };
}

/** PUT /users/me/avatar: the upload becomes the caller's avatar. */
export async function setAvatar(stores: Stores, userId: string, uploadId: string): Promise<Me> {
  const user = await setAvatarKey(stores, userId, uploadId);
  return meView(user, await imageUrlOf(stores.files, user.avatarKey));
}

/** DELETE /users/me/avatar: back to the letter. Returns the user as others now see them (for `user_updated`). */
export async function removeAvatar(stores: Stores, userId: string): Promise<User> {
  return userView(await setAvatarKey(stores, userId, undefined), null);
}

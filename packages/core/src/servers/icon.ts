/**
 * A server's icon, through the same upload and swap as a user's avatar (attachments/images.ts):
 * who has `MANAGE_GUILD` sets or removes it, audited. docs/decisions.md, "Avatars and server icons".
 */
import type { ServerItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { serverView, type Server, type Upload } from "../views.ts";
import { imageUrlOf, type Stores } from "../attachments/files.ts";
import { createUpload } from "../attachments/uploads.ts";
import { keyIs, swapImage } from "../attachments/images.ts";
import { requirePermissionIn } from "./access.ts";
import { auditWrite } from "../audit/log.ts";

type File = { filename: string; contentType: string; size: number };

export async function createIconUpload(stores: Stores, serverId: string, userId: string, file: File): Promise<Upload> {
  await requirePermissionIn(stores.db, serverId, userId, "MANAGE_GUILD");
  return createUpload(stores, { ...file, ownerId: userId, purpose: "icon", scopeId: serverId });
}

async function setIconKey(stores: Stores, serverId: string, userId: string, uploadId: string | undefined, reason?: string | null): Promise<ServerItem> {
  await requirePermissionIn(stores.db, serverId, userId, "MANAGE_GUILD");
  let server: ServerItem | undefined;
  const key = await swapImage(
    stores,
    { uploadId, ownerId: userId, purpose: "icon", scopeId: serverId, prefix: "icons" },
    async () => {
      const { data } = await stores.db.entities.servers.get({ serverId }).go({ consistent: true });
      if (!data) throw new AppError("not_found", "No such server.");
      return (server = data).iconKey;
    },
    (tx, to, from) => {
      const patch = tx.servers.patch({ serverId });
      const changed = to ? patch.set({ iconKey: to }) : patch.remove(["iconKey"]);
      return changed.where((a, op) => keyIs(from)(a, op as never, "iconKey")).commit();
    },
    (tx) => ({ audit: auditWrite(stores.db, tx, { serverId, actorId: userId, reason, action: "guild_update", changes: { icon: uploadId ? { new: uploadId } : { old: "icon" } } }) }),
  );
  return { ...server!, iconKey: key };
}

/** PUT /servers/:id/icon (`MANAGE_GUILD`): the upload becomes the server's icon. */
export async function setIcon(stores: Stores, serverId: string, userId: string, uploadId: string, reason?: string | null): Promise<Server> {
  const server = await setIconKey(stores, serverId, userId, uploadId, reason);
  return serverView(server, await imageUrlOf(stores.files, server.iconKey));
}

/** DELETE /servers/:id/icon (`MANAGE_GUILD`). */
export async function removeIcon(stores: Stores, serverId: string, userId: string, reason?: string | null): Promise<void> {
  await setIconKey(stores, serverId, userId, undefined, reason);
}

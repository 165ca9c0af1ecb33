/**
 * A server's icon, through the same upload and swap as a user's avatar (attachments/images.ts):
 * only the owner sets or removes it. docs/decisions.md, "Avatars and server icons".
 */
import type { ServerItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { serverView, type Server, type Upload } from "../views.ts";
import { imageUrlOf, type Stores } from "../attachments/files.ts";
import { createUpload } from "../attachments/uploads.ts";
import { keyIs, swapImage } from "../attachments/images.ts";
import { requirePermissionIn } from "./access.ts";

type File = { filename: string; contentType: string; size: number };

export async function createIconUpload(stores: Stores, serverId: string, userId: string, file: File): Promise<Upload> {
  await requirePermissionIn(stores.db, serverId, userId, "manage_server");
  return createUpload(stores, { ...file, ownerId: userId, purpose: "icon", scopeId: serverId });
}

async function setIconKey(stores: Stores, serverId: string, userId: string, uploadId: string | undefined): Promise<ServerItem> {
  await requirePermissionIn(stores.db, serverId, userId, "manage_server");
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
  );
  return { ...server!, iconKey: key };
}

/** PUT /servers/:id/icon (owner): the upload becomes the server's icon. */
export async function setIcon(stores: Stores, serverId: string, userId: string, uploadId: string): Promise<Server> {
  const server = await setIconKey(stores, serverId, userId, uploadId);
  return serverView(server, await imageUrlOf(stores.files, server.iconKey));
}

/** DELETE /servers/:id/icon (owner). */
export async function removeIcon(stores: Stores, serverId: string, userId: string): Promise<void> {
  await setIconKey(stores, serverId, userId, undefined);
}

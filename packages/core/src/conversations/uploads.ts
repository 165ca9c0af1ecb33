/** Uploads for a conversation's messages: only those who may send there may upload for it (api.md "Attachments"). */
import type { Upload } from "../views.ts";
import type { Stores } from "../attachments/files.ts";
import { createUpload } from "../attachments/uploads.ts";
import type { ConversationKind, KindTypes } from "./kind.ts";

export async function createMessageUpload<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { userId: string; filename: string; contentType: string; size: number },
): Promise<Upload> {
  const { caller } = await kind.enter(stores.db, ref, input.userId);
  kind.requireTo(caller, "attach");
  const { filename, contentType, size } = input;
  return createUpload(stores, { filename, contentType, size, ownerId: input.userId, purpose: "message", scopeId: kind.id(ref) });
}

/** Uploads for a channel's or a DM's messages: only those who may send there may upload for it. */
import type { Upload } from "../views.ts";
import { memberInChannel } from "../messages/channel.ts";
import { participantsConversation } from "../messages/direct.ts";
import { createUpload } from "./uploads.ts";
import type { Stores } from "./files.ts";

type File = { filename: string; contentType: string; size: number };

export async function createChannelUpload(stores: Stores, input: { serverId: string; channelId: string; userId: string } & File): Promise<Upload> {
  await memberInChannel(stores.db, input.serverId, input.channelId, input.userId);
  return createUpload(stores, { ...input, ownerId: input.userId, purpose: "message", scopeId: input.channelId });
}

export async function createDmUpload(stores: Stores, input: { conversationId: string; userId: string } & File): Promise<Upload> {
  await participantsConversation(stores.db, input.userId, input.conversationId);
  return createUpload(stores, { ...input, ownerId: input.userId, purpose: "message", scopeId: input.conversationId });
}

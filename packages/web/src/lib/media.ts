/**
 * The contract's shapes for replies, reactions and attachments (api.md "Replies, reactions,
 * attachments"), as the web app reads them off messages.
 */
import type { User } from "@agorusta/core/views";

export interface Reaction { emoji: string; count: number; me: boolean }
export interface Attachment {
  id: string; filename: string; contentType: string; size: number; url: string;
  width: number | null; height: number | null;
}
export interface ReplyRef { id: string; author: User; excerpt: string }
export interface Upload { id: string; uploadUrl: string; method: "PUT"; headers: Record<string, string>; expiresAt: string }

/** What a message may carry beyond its text (placeholders of messages being sent carry none yet). */
export interface MediaFields {
  replyTo?: ReplyRef | null;
  reactions?: Reaction[];
  attachments?: Attachment[];
}

/** What a new message carries besides its text. */
export interface SendExtras {
  replyTo?: string;
  attachments?: string[];
}

export const MAX_ATTACHMENTS = 10;
export const MAX_ATTACHMENT_BYTES = 26_214_400;
export const MAX_AVATAR_BYTES = 2 * 1024 * 1024;

/** A person's or server's uploaded picture, where the API gives one. */
export const pictureOf = (thing: object): string | null =>
  "avatarUrl" in thing && typeof thing.avatarUrl === "string" ? thing.avatarUrl : "iconUrl" in thing && typeof thing.iconUrl === "string" ? thing.iconUrl : null;

/**
 * What the routes of a conversation do, written once for every kind: a channel's routes
 * (routes/servers/messages.ts, channels.ts, attachments.ts) and a DM's (routes/dms.ts) are thin
 * adapters that turn their path into the kind's reference and answer with what these return.
 * Core does the work (conversations/); the kind's events are told through
 * delivery/messageEvents.ts.
 */
import type { ConversationKind, KindTypes } from "@agorusta/core/conversations";
import {
  createMessageUpload,
  deleteMessage,
  editMessage,
  listChanges,
  listMessages,
  listReactors,
  markRead,
  sendMessage,
  setReaction,
} from "@agorusta/core/conversations";
import { ReadBatch } from "@agorusta/core/store";
import type { Deps } from "../deps.ts";
import { limitRate } from "../http/usage.ts";
import { announceRead } from "../delivery/readStateEvents.ts";
import type { MessageEvents } from "../delivery/messageEvents.ts";

type Window = { limit: number; before?: string | undefined; after?: string | undefined; around?: string | undefined };
type SendBody = { content: string; nonce?: string | undefined; replyTo?: string | undefined; attachments?: string[] | undefined };
type File = { filename: string; contentType: string; size: number };

export function conversationHandlers<T extends KindTypes>(deps: Deps, kind: ConversationKind<T>, events: MessageEvents<T>) {
  /** Everything a change pushes to every subscriber is limited per user per conversation (api.md "Limits"). */
  const limiter = (userId: string, ref: T["ref"], action: "messages" | "edits" | "reactions") => () =>
    limitRate(deps, action, `${userId}:${kind.id(ref)}`);
  return {
    history: (userId: string, ref: T["ref"], window: Window) => listMessages(deps, kind, ref, { userId, ...window }),

    changes: (userId: string, ref: T["ref"], query: { since?: string | undefined; limit: number; newest?: number | undefined }) => listChanges(deps, kind, ref, { userId, ...query }),

    /**
     * One BatchGetItem carries the send's check and its audience's tokens: the batch is made
     * here, the announcement joins its reads to it, and the send that starts after sends it.
     */
    async send(userId: string, ref: T["ref"], body: SendBody) {
      const rateLimit = limiter(userId, ref, "messages");
      const batch = new ReadBatch();
      const announce = events.announceSend(deps, ref, batch);
      const sending = sendMessage(deps, kind, ref, { userId, ...body, rateLimit, batch });
      // Handed to the push queue once stored (a queue message, never a push service: api.md
      // "Web Push"); a queue that refuses costs the pushes of this message, never the message.
      const queued = sending.then(
        (s) => (s.created ? deps.pushes.enqueue(events.pushJob(ref, s.message.id)).catch((e: unknown) => console.error("push: not queued:", e)) : undefined),
        () => undefined,
      );
      try {
        const [sent] = await Promise.all([sending, announce(sending), queued]);
        return sent;
      } finally {
        batch.flush(deps.db.client);
      }
    },

    async edit(userId: string, ref: T["ref"], messageId: string, content: string) {
      const change = await editMessage(deps, kind, ref, { messageId, userId, content, rateLimit: limiter(userId, ref, "edits") });
      await events.updated(deps, ref, change);
      return change.message;
    },

    /** `reason`: the `X-Audit-Log-Reason` a moderator gave, for the audit entry of deleting someone else's message. */
    async remove(userId: string, ref: T["ref"], messageId: string, reason: string | null = null) {
      await events.deleted(deps, ref, messageId, await deleteMessage(deps, kind, ref, { messageId, userId, reason }));
    },

    reactors: (userId: string, ref: T["ref"], messageId: string, emoji: string, page: { limit: number; after?: string | undefined }) =>
      listReactors(deps, kind, ref, { messageId, emoji, userId, ...page }),

    async react(userId: string, ref: T["ref"], messageId: string, emoji: string, change: "added" | "removed") {
      const rateLimit = limiter(userId, ref, "reactions");
      const { outcome, audience } = await setReaction(deps, kind, ref, { messageId, userId, emoji, rateLimit }, change);
      // Nothing changed (already reacted, or not reacted): nothing to tell anyone.
      if (outcome) await events.reaction(deps, ref, { messageId, emoji, userId, outcome }, audience);
    },

    async read(userId: string, ref: T["ref"], messageId: string) {
      const read = await markRead(deps.db, kind, ref, { userId, messageId });
      await announceRead(deps, userId, read);
      return read.state;
    },

    upload: (userId: string, ref: T["ref"], file: File) => createMessageUpload(deps, kind, ref, { userId, ...file }),
  };
}

import { Hono } from "hono";
import { deleteMessage, editMessage, listChannelChanges, listChannelReactors, listMessages, sendMessage, setChannelReaction } from "@agorusta/core/messages";
import {
  changesQuery,
  channelMessageParams,
  channelParams,
  channelReactionParams,
  historyQuery,
  messageBody,
  reactorsQuery,
  sendMessageBody,
} from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { limitRate } from "../../http/usage.ts";
import { sendAnnounced } from "../../delivery/messageEvents.ts";

/** `/servers/:id/channels/:cid/messages`: a channel's history, sending, editing, deleting and reactions. */
export const messagesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", params(channelParams), validate("query", historyQuery), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const page = await listMessages(deps, { serverId, channelId, userId: c.var.userId, ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .post("/", params(channelParams), validate("json", sendMessageBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const rateLimit = () => limitRate(deps, "messages", `${c.var.userId}:${channelId}`);
      const { sent: sending, announced } = sendAnnounced(deps, { serverId, channelId }, () =>
        sendMessage(deps, { serverId, channelId, userId: c.var.userId, ...c.req.valid("json"), rateLimit }),
      );
      const sent = await sending;
      await announced;
      return c.json(sent.message, sent.created ? 201 : 200);
    })
    .patch("/:mid", params(channelMessageParams), validate("json", messageBody), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId } = c.req.valid("param");
      const { message, cursor } = await editMessage(deps, { serverId, channelId, messageId, userId: c.var.userId, content: c.req.valid("json").content });
      await deps.publisher.toChannel(message.channelId, { type: "message_updated", message, cursor });
      return c.json(message, 200);
    })
    .delete("/:mid", params(channelMessageParams), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId } = c.req.valid("param");
      const { cursor } = await deleteMessage(deps, { serverId, channelId, messageId, userId: c.var.userId });
      await deps.publisher.toChannel(channelId, { type: "message_deleted", channelId, messageId, cursor });
      return c.body(null, 204);
    })
    .get("/:mid/reactions/:emoji", params(channelReactionParams), validate("query", reactorsQuery), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId, emoji } = c.req.valid("param");
      const users = await listChannelReactors(deps, { serverId, channelId, messageId, emoji, userId: c.var.userId, ...c.req.valid("query") });
      return c.json(users, 200);
    })
    .on(["PUT", "DELETE"], "/:mid/reactions/:emoji/me", params(channelReactionParams), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId, emoji } = c.req.valid("param");
      const added = c.req.method === "PUT";
      const outcome = await setChannelReaction(deps, { serverId, channelId, messageId, emoji, userId: c.var.userId }, added ? "added" : "removed");
      // Nothing changed (already reacted, or not reacted): nothing to tell anyone.
      if (outcome) {
        await deps.publisher.toChannel(channelId, {
          type: added ? "reaction_added" : "reaction_removed",
          channelId, messageId, emoji, userId: c.var.userId, count: outcome.count, cursor: outcome.cursor,
        });
      }
      return c.body(null, 204);
    });

/** `/servers/:id/channels/:cid/changes`: the channel's change feed. */
export const changesRoutes = (deps: Deps) =>
  new Hono<AppEnv>().get("/", params(channelParams), validate("query", changesQuery), async (c) => {
    const { id: serverId, cid: channelId } = c.req.valid("param");
    return c.json(await listChannelChanges(deps, { serverId, channelId, userId: c.var.userId, ...c.req.valid("query") }), 200);
  });

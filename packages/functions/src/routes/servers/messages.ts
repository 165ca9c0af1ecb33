import { Hono } from "hono";
import { deleteMessage, editMessage, listMessages, sendMessage } from "@agorusta/core/messages";
import { channelMessageParams, channelParams, historyQuery, messageBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { limitRate } from "../../http/usage.ts";

/** `/servers/:id/channels/:cid/messages`: a channel's history, sending, editing and deleting. */
export const messagesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", params(channelParams), validate("query", historyQuery), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const page = await listMessages(deps.db, { serverId, channelId, userId: c.var.userId, ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .post("/", params(channelParams), validate("json", messageBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      await limitRate(deps, "messages", `${c.var.userId}:${channelId}`);
      const message = await sendMessage(deps.db, { serverId, channelId, userId: c.var.userId, content: c.req.valid("json").content });
      await deps.publisher.toChannel(message.channelId, { type: "new_message", message });
      return c.json(message, 201);
    })
    .patch("/:mid", params(channelMessageParams), validate("json", messageBody), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId } = c.req.valid("param");
      const message = await editMessage(deps.db, { serverId, channelId, messageId, userId: c.var.userId, content: c.req.valid("json").content });
      await deps.publisher.toChannel(message.channelId, { type: "message_updated", message });
      return c.json(message, 200);
    })
    .delete("/:mid", params(channelMessageParams), async (c) => {
      const { id: serverId, cid: channelId, mid: messageId } = c.req.valid("param");
      await deleteMessage(deps.db, { serverId, channelId, messageId, userId: c.var.userId });
      await deps.publisher.toChannel(channelId, { type: "message_deleted", channelId, messageId });
      return c.body(null, 204);
    });

import { Hono } from "hono";
import { kinds } from "@agorusta/core/conversations";
import {
  changesQuery,
  channelMessageParams,
  channelParams,
  channelReactionParams,
  historyQuery,
  messageBody,
  reactorsQuery,
  sendMessageBody,
  messageObject,
  userObject,
} from "@agorusta/core/schemas";
import * as v from "valibot";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { messageEvents } from "../../delivery/messageEvents.ts";
import { conversationHandlers } from "../conversation.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Messages");

/** The channel a path names (its server's id, then its own). */
export const channelRef = (param: { id: string; cid: string }) => ({ serverId: param.id, channelId: param.cid });

/** A channel's handlers (routes/conversation.ts): what its routes below do, as a DM's do. */
export const channelHandlers = (deps: Deps) => conversationHandlers(deps, kinds.channel, messageEvents.channel);

/** `/servers/:id/channels/:cid/messages`: a channel's history, sending, editing, deleting and reactions. */
export const messagesRoutes = (deps: Deps) => {
  const channel = channelHandlers(deps);
  return new Hono<AppEnv>()
    .get("/", doc("A channel's history, oldest first: a window before, after or around a message", { ok: 200, body: v.array(messageObject) }), params(channelParams), validate("query", historyQuery), async (c) =>
      c.json(await channel.history(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("query")), 200),
    )
    .post("/", doc("Send a message (201; 200 when its nonce was already sent)", { ok: [201, 200], body: messageObject, errors: [429] }), params(channelParams), validate("json", sendMessageBody), async (c) => {
      const sent = await channel.send(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("json"));
      return c.json(sent.message, sent.created ? 201 : 200);
    })
    .patch("/:mid", doc("Edit one's own message", { ok: 200, body: messageObject, errors: [429] }), params(channelMessageParams), validate("json", messageBody), async (c) => {
      const param = c.req.valid("param");
      return c.json(await channel.edit(c.var.userId, channelRef(param), param.mid, c.req.valid("json").content), 200);
    })
    .delete("/:mid", doc("Delete a message (one's own, or anyone's with MANAGE_MESSAGES)", { ok: 204 }), params(channelMessageParams), async (c) => {
      const param = c.req.valid("param");
      // The reason is checked (400) before anything is written; it is kept only when the message is someone else's.
      await channel.remove(c.var.userId, channelRef(param), param.mid, auditReasonOf(c));
      return c.body(null, 204);
    })
    .get("/:mid/reactions/:emoji", doc("Who reacted to a message with an emoji", { ok: 200, body: v.array(userObject) }), params(channelReactionParams), validate("query", reactorsQuery), async (c) => {
      const param = c.req.valid("param");
      return c.json(await channel.reactors(c.var.userId, channelRef(param), param.mid, param.emoji, c.req.valid("query")), 200);
    })
    .on(["PUT", "DELETE"], "/:mid/reactions/:emoji/me", doc("Add (PUT) or remove (DELETE) the caller's reaction", { ok: 204, errors: [429] }), params(channelReactionParams), async (c) => {
      const param = c.req.valid("param");
      await channel.react(c.var.userId, channelRef(param), param.mid, param.emoji, c.req.method === "PUT" ? "added" : "removed");
      return c.body(null, 204);
    });
};

/** `/servers/:id/channels/:cid/changes`: the channel's change feed. */
export const changesRoutes = (deps: Deps) => {
  const channel = channelHandlers(deps);
  return new Hono<AppEnv>().get("/", doc("A channel's change feed since a cursor; without one, its head, with its newest messages if asked (`newest`)", { ok: 200, answers: "`ChangesPage<Message>`", errors: [410] }), params(channelParams), validate("query", changesQuery), async (c) =>
    c.json(await channel.changes(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("query")), 200),
  );
};

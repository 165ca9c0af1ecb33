import { Hono } from "hono";
import { kinds } from "@agorusta/core/conversations";
import { searchDmMessages } from "@agorusta/core/search";
import { getConversation, listConversations, onlinePartners, startConversation } from "@agorusta/core/dms";
import {
  changesQuery,
  dmMessageParams,
  dmParams,
  dmSearchQuery,
  dmsQuery,
  dmReactionParams,
  historyQuery,
  messageBody,
  reactorsQuery,
  readBody,
  sendMessageBody,
  startDmBody,
  uploadBody,
  dmMessageObject,
  uploadObject,
  userObject,
} from "@agorusta/core/schemas";
import * as v from "valibot";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { limitRate } from "../http/usage.ts";
import { messageEvents } from "../delivery/messageEvents.ts";
import { conversationHandlers } from "./conversation.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Direct messages");

/** The conversation a path names. */
const dmRef = (param: { id: string }) => ({ conversationId: param.id });

/**
 * `/dms`: the caller's direct conversations, starting one, one conversation; below each, its
 * messages, feed, reactions, read position and uploads, through the handlers every conversation
 * shares (routes/conversation.ts).
 */
export const dmsRoutes = (deps: Deps) => {
  const dm = conversationHandlers(deps, kinds.dm, messageEvents.dm);
  return new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", doc("The caller's conversations, most recent activity first", { ok: 200, answers: "`DmConversation[]`" }), validate("query", dmsQuery), async (c) =>
      c.json(await listConversations(deps.db, c.var.userId, c.req.valid("query"), deps.files), 200),
    )
    .post("/", doc("Start a conversation with someone (201; 200 when it exists)", { ok: [201, 200], answers: "`DmConversation`", errors: [429] }), validate("json", startDmBody), async (c) => {
      const { conversation, created } = await startConversation(deps.db, c.var.userId, c.req.valid("json").userId, deps.files, () =>
        limitRate(deps, "startDm", c.var.userId),
      );
      return c.json(conversation, created ? 201 : 200);
    })
    // Before `/:id`, which would take `search` for a conversation's id.
    .get("/search", doc("Search the caller's direct messages", { ok: 200, answers: "A page of `DmMessage` hits and its cursor." }), validate("query", dmSearchQuery), async (c) => c.json(await searchDmMessages(deps, c.var.userId, c.req.valid("query")), 200))
    // Which of the people one talks to are online (docs/decisions.md, "People"); before `/:id`.
    .get("/online", doc("Which of the people one talks to are online", { ok: 200, answers: "`{userIds}`" }), async (c) => c.json({ userIds: await onlinePartners(deps.db, c.var.userId) }, 200))
    .get("/:id", doc("A conversation", { ok: 200, answers: "`DmConversation`" }), params(dmParams), async (c) => c.json(await getConversation(deps.db, c.var.userId, c.req.valid("param").id, deps.files), 200))
    .get("/:id/messages", doc("A conversation's history, oldest first", { ok: 200, body: v.array(dmMessageObject) }), params(dmParams), validate("query", historyQuery), async (c) =>
      c.json(await dm.history(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("query")), 200),
    )
    .put("/:id/read", doc("Mark the conversation read up to a message", { ok: 200, answers: "`ReadState`" }), params(dmParams), validate("json", readBody), async (c) =>
      c.json(await dm.read(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json").messageId), 200),
    )
    .get("/:id/changes", doc("A conversation's change feed since a cursor; without one, its head, with its newest messages if asked (`newest`)", { ok: 200, answers: "`ChangesPage<DmMessage>`", errors: [410] }), params(dmParams), validate("query", changesQuery), async (c) =>
      c.json(await dm.changes(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("query")), 200),
    )
    .post("/:id/messages", doc("Send a direct message (201; 200 when its nonce was already sent)", { ok: [201, 200], body: dmMessageObject, errors: [429] }), params(dmParams), validate("json", sendMessageBody), async (c) => {
      const sent = await dm.send(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json"));
      return c.json(sent.message, sent.created ? 201 : 200);
    })
    .patch("/:id/messages/:mid", doc("Edit one's own direct message", { ok: 200, body: dmMessageObject, errors: [429] }), params(dmMessageParams), validate("json", messageBody), async (c) => {
      const param = c.req.valid("param");
      return c.json(await dm.edit(c.var.userId, dmRef(param), param.mid, c.req.valid("json").content), 200);
    })
    .delete("/:id/messages/:mid", doc("Delete one's own direct message", { ok: 204 }), params(dmMessageParams), async (c) => {
      const param = c.req.valid("param");
      await dm.remove(c.var.userId, dmRef(param), param.mid);
      return c.body(null, 204);
    })
    .post("/:id/attachments", doc("Declare a file to attach to a direct message: a presigned upload", { ok: 201, body: uploadObject }), params(dmParams), validate("json", uploadBody), async (c) =>
      c.json(await dm.upload(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json")), 201),
    )
    .get("/:id/messages/:mid/reactions/:emoji", doc("Who reacted to a direct message with an emoji", { ok: 200, body: v.array(userObject) }), params(dmReactionParams), validate("query", reactorsQuery), async (c) => {
      const param = c.req.valid("param");
      return c.json(await dm.reactors(c.var.userId, dmRef(param), param.mid, param.emoji, c.req.valid("query")), 200);
    })
    .on(["PUT", "DELETE"], "/:id/messages/:mid/reactions/:emoji/me", doc("Add (PUT) or remove (DELETE) the caller's reaction", { ok: 204, errors: [429] }), params(dmReactionParams), async (c) => {
      const param = c.req.valid("param");
      await dm.react(c.var.userId, dmRef(param), param.mid, param.emoji, c.req.method === "PUT" ? "added" : "removed");
      return c.body(null, 204);
    });
};

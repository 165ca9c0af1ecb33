import { Hono } from "hono";
import {
  deleteDmMessage,
  editDmMessage,
  listDmReactors,
  setDmReaction,
  getConversation,
  listConversations,
  listDmChanges,
  listDmMessages,
  markDmRead,
  sendDmMessage,
  startConversation,
} from "@agorusta/core/messages";
import {
  changesQuery,
  dmMessageParams,
  dmParams,
  dmsQuery,
  dmReactionParams,
  historyQuery,
  messageBody,
  reactorsQuery,
  readBody,
  sendMessageBody,
  startDmBody,
  uploadBody,
} from "@agorusta/core/schemas";
import { createDmUpload } from "@agorusta/core/attachments";
import { announceRead } from "../delivery/readStateEvents.ts";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { limitRate } from "../http/usage.ts";

export const dmsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", validate("query", dmsQuery), async (c) =>
      c.json(await listConversations(deps.db, c.var.userId, c.req.valid("query"), deps.files), 200),
    )
    .post("/", validate("json", startDmBody), async (c) => {
      const { conversation, created } = await startConversation(deps.db, c.var.userId, c.req.valid("json").userId, deps.files, () =>
        limitRate(deps, "startDm", c.var.userId),
      );
      return c.json(conversation, created ? 201 : 200);
    })
    .get("/:id", params(dmParams), async (c) => c.json(await getConversation(deps.db, c.var.userId, c.req.valid("param").id, deps.files), 200))
    .get("/:id/messages", params(dmParams), validate("query", historyQuery), async (c) => {
      const page = await listDmMessages(deps, { userId: c.var.userId, conversationId: c.req.valid("param").id, ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .put("/:id/read", params(dmParams), validate("json", readBody), async (c) => {
      const read = await markDmRead(deps.db, { conversationId: c.req.valid("param").id, userId: c.var.userId, messageId: c.req.valid("json").messageId });
      await announceRead(deps, c.var.userId, read);
      return c.json(read.state, 200);
    })
    .get("/:id/changes", params(dmParams), validate("query", changesQuery), async (c) => {
      const page = await listDmChanges(deps, { userId: c.var.userId, conversationId: c.req.valid("param").id, ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .post("/:id/messages", params(dmParams), validate("json", sendMessageBody), async (c) => {
      const limit = limitRate(deps, "messages", `${c.var.userId}:${c.req.valid("param").id}`);
      const sent = await sendDmMessage(deps, { userId: c.var.userId, conversationId: c.req.valid("param").id, ...c.req.valid("json"), limit });
      // A repeated nonce stored nothing, so nothing is pushed again.
      if (!sent.created) return c.json(sent.message, 200);
      await deps.publisher.toUsers(sent.participantIds, { type: "new_dm_message", message: sent.message, cursor: sent.cursor });
      return c.json(sent.message, 201);
    })
    .patch("/:id/messages/:mid", params(dmMessageParams), validate("json", messageBody), async (c) => {
      const { message, cursor, participantIds } = await editDmMessage(deps, { ...dmMessageKey(c.var.userId, c.req.valid("param")), content: c.req.valid("json").content });
      await deps.publisher.toUsers(participantIds, { type: "dm_message_updated", message, cursor });
      return c.json(message, 200);
    })
    .delete("/:id/messages/:mid", params(dmMessageParams), async (c) => {
      const key = dmMessageKey(c.var.userId, c.req.valid("param"));
      const { cursor, participantIds } = await deleteDmMessage(deps, key);
      await deps.publisher.toUsers(participantIds, { type: "dm_message_deleted", conversationId: key.conversationId, messageId: key.messageId, cursor });
      return c.body(null, 204);
    })
    .post("/:id/attachments", params(dmParams), validate("json", uploadBody), async (c) => {
      return c.json(await createDmUpload(deps, { conversationId: c.req.valid("param").id, userId: c.var.userId, ...c.req.valid("json") }), 201);
    })
    .get("/:id/messages/:mid/reactions/:emoji", params(dmReactionParams), validate("query", reactorsQuery), async (c) => {
      const { emoji, ...param } = c.req.valid("param");
      return c.json(await listDmReactors(deps, { ...dmMessageKey(c.var.userId, param), emoji, ...c.req.valid("query") }), 200);
    })
    .on(["PUT", "DELETE"], "/:id/messages/:mid/reactions/:emoji/me", params(dmReactionParams), async (c) => {
      const { emoji, ...param } = c.req.valid("param");
      const key = dmMessageKey(c.var.userId, param);
      const added = c.req.method === "PUT";
      const { outcome, participantIds } = await setDmReaction(deps, { ...key, emoji }, added ? "added" : "removed");
      if (outcome) {
        await deps.publisher.toUsers(participantIds, {
          type: added ? "dm_reaction_added" : "dm_reaction_removed",
          conversationId: key.conversationId, messageId: key.messageId, emoji, userId: c.var.userId, count: outcome.count, cursor: outcome.cursor,
        });
      }
      return c.body(null, 204);
    });

/** The path's message coordinates and the caller, as the DM message functions take them. */
const dmMessageKey = (userId: string, param: { id: string; mid: string }) => ({
  userId,
  conversationId: param.id,
  messageId: param.mid,
});

import { Hono } from "hono";
import {
  deleteDmMessage,
  editDmMessage,
  getConversation,
  listConversations,
  listDmMessages,
  sendDmMessage,
  startConversation,
} from "@agorusta/core/messages";
import { dmMessageParams, dmParams, historyQuery, messageBody, startDmBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { limitRate } from "../http/usage.ts";

export const dmsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", async (c) => c.json(await listConversations(deps.db, c.var.userId), 200))
    .post("/", validate("json", startDmBody), async (c) => {
      const { conversation, created } = await startConversation(deps.db, c.var.userId, c.req.valid("json").userId, () =>
        limitRate(deps, "startDm", c.var.userId),
      );
      return c.json(conversation, created ? 201 : 200);
    })
    .get("/:id", params(dmParams), async (c) => c.json(await getConversation(deps.db, c.var.userId, c.req.valid("param").id), 200))
    .get("/:id/messages", params(dmParams), validate("query", historyQuery), async (c) => {
      const page = await listDmMessages(deps.db, { userId: c.var.userId, conversationId: c.req.valid("param").id, ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .post("/:id/messages", params(dmParams), validate("json", messageBody), async (c) => {
      await limitRate(deps, "messages", `${c.var.userId}:${c.req.valid("param").id}`);
      const { message, participantIds } = await sendDmMessage(deps.db, {
        userId: c.var.userId, conversationId: c.req.valid("param").id, content: c.req.valid("json").content,
      });
      await deps.publisher.toUsers(participantIds, { type: "new_dm_message", message });
      return c.json(message, 201);
    })
    .patch("/:id/messages/:mid", params(dmMessageParams), validate("json", messageBody), async (c) => {
      const { message, participantIds } = await editDmMessage(deps.db, { ...dmMessageKey(c.var.userId, c.req.valid("param")), content: c.req.valid("json").content });
      await deps.publisher.toUsers(participantIds, { type: "dm_message_updated", message });
      return c.json(message, 200);
    })
    .delete("/:id/messages/:mid", params(dmMessageParams), async (c) => {
      const key = dmMessageKey(c.var.userId, c.req.valid("param"));
      const { participantIds } = await deleteDmMessage(deps.db, key);
      await deps.publisher.toUsers(participantIds, { type: "dm_message_deleted", conversationId: key.conversationId, messageId: key.messageId });
      return c.body(null, 204);
    });

/** The path's message coordinates and the caller, as the DM message functions take them. */
const dmMessageKey = (userId: string, param: { id: string; mid: string }) => ({
  userId,
  conversationId: param.id,
  messageId: param.mid,
});

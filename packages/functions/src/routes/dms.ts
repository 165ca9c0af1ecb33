import { Hono, type Context } from "hono";
import {
  deleteDmMessage,
  editDmMessage,
  getConversation,
  listConversations,
  listDmMessages,
  sendDmMessage,
  startConversation,
} from "@agorusta/core/dms";
import { historyQuery, messageBody, startDmBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/auth.ts";
import { validate } from "../http/validate.ts";
import { ids } from "../http/params.ts";

export const dmsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", async (c) => c.json(await listConversations(deps.db, c.var.userId), 200))
    .post("/", validate("json", startDmBody), async (c) => {
      const { conversation, created } = await startConversation(deps.db, c.var.userId, c.req.valid("json").userId);
      return c.json(conversation, created ? 201 : 200);
    })
    .get("/:id", ids("id"), async (c) => c.json(await getConversation(deps.db, c.var.userId, c.req.param("id")), 200))
    .get("/:id/messages", ids("id"), validate("query", historyQuery), async (c) => {
      const page = await listDmMessages(deps.db, { userId: c.var.userId, conversationId: c.req.param("id"), ...c.req.valid("query") });
      return c.json(page, 200);
    })
    .post("/:id/messages", ids("id"), validate("json", messageBody), async (c) => {
      const { message, participantIds } = await sendDmMessage(deps.db, {
        userId: c.var.userId, conversationId: c.req.param("id"), content: c.req.valid("json").content,
      });
      await deps.publisher.toUsers(participantIds, { type: "new_dm_message", message });
      return c.json(message, 201);
    })
    .patch("/:id/messages/:mid", ids("id", "mid"), validate("json", messageBody), async (c) => {
      const { message, participantIds } = await editDmMessage(deps.db, { ...dmMessageKey(c), content: c.req.valid("json").content });
      await deps.publisher.toUsers(participantIds, { type: "dm_message_updated", message });
      return c.json(message, 200);
    })
    .delete("/:id/messages/:mid", ids("id", "mid"), async (c) => {
      const key = dmMessageKey(c);
      const { participantIds } = await deleteDmMessage(deps.db, key);
      await deps.publisher.toUsers(participantIds, { type: "dm_message_deleted", conversationId: key.conversationId, messageId: key.messageId });
      return c.body(null, 204);
    });

const dmMessageKey = (c: Context<AppEnv>) => ({
  userId: c.var.userId,
  conversationId: c.req.param("id")!,
  messageId: c.req.param("mid")!,
});

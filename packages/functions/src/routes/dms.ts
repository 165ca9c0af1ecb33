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
} from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { limitRate } from "../http/usage.ts";
import { messageEvents } from "../delivery/messageEvents.ts";
import { conversationHandlers } from "./conversation.ts";

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
    .get("/", validate("query", dmsQuery), async (c) =>
      c.json(await listConversations(deps.db, c.var.userId, c.req.valid("query"), deps.files), 200),
    )
    .post("/", validate("json", startDmBody), async (c) => {
      const { conversation, created } = await startConversation(deps.db, c.var.userId, c.req.valid("json").userId, deps.files, () =>
        limitRate(deps, "startDm", c.var.userId),
      );
      return c.json(conversation, created ? 201 : 200);
    })
    // Before `/:id`, which would take `search` for a conversation's id.
    .get("/search", validate("query", dmSearchQuery), async (c) => c.json(await searchDmMessages(deps, c.var.userId, c.req.valid("query")), 200))
    // Which of the people one talks to are online (docs/decisions.md, "People"); before `/:id`.
    .get("/online", async (c) => c.json({ userIds: await onlinePartners(deps.db, c.var.userId) }, 200))
    .get("/:id", params(dmParams), async (c) => c.json(await getConversation(deps.db, c.var.userId, c.req.valid("param").id, deps.files), 200))
    .get("/:id/messages", params(dmParams), validate("query", historyQuery), async (c) =>
      c.json(await dm.history(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("query")), 200),
    )
    .put("/:id/read", params(dmParams), validate("json", readBody), async (c) =>
      c.json(await dm.read(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json").messageId), 200),
    )
    .get("/:id/changes", params(dmParams), validate("query", changesQuery), async (c) =>
      c.json(await dm.changes(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("query")), 200),
    )
    .post("/:id/messages", params(dmParams), validate("json", sendMessageBody), async (c) => {
      const sent = await dm.send(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json"));
      return c.json(sent.message, sent.created ? 201 : 200);
    })
    .patch("/:id/messages/:mid", params(dmMessageParams), validate("json", messageBody), async (c) => {
      const param = c.req.valid("param");
      return c.json(await dm.edit(c.var.userId, dmRef(param), param.mid, c.req.valid("json").content), 200);
    })
    .delete("/:id/messages/:mid", params(dmMessageParams), async (c) => {
      const param = c.req.valid("param");
      await dm.remove(c.var.userId, dmRef(param), param.mid);
      return c.body(null, 204);
    })
    .post("/:id/attachments", params(dmParams), validate("json", uploadBody), async (c) =>
      c.json(await dm.upload(c.var.userId, dmRef(c.req.valid("param")), c.req.valid("json")), 201),
    )
    .get("/:id/messages/:mid/reactions/:emoji", params(dmReactionParams), validate("query", reactorsQuery), async (c) => {
      const param = c.req.valid("param");
      return c.json(await dm.reactors(c.var.userId, dmRef(param), param.mid, param.emoji, c.req.valid("query")), 200);
    })
    .on(["PUT", "DELETE"], "/:id/messages/:mid/reactions/:emoji/me", params(dmReactionParams), async (c) => {
      const param = c.req.valid("param");
      await dm.react(c.var.userId, dmRef(param), param.mid, param.emoji, c.req.method === "PUT" ? "added" : "removed");
      return c.body(null, 204);
    });
};

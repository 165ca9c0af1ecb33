import { Hono, type Context } from "hono";
import { getUser } from "@agorusta/core/accounts";
import { createChannel, createServer, getServerDetail, listMyServers } from "@agorusta/core/servers";
import { deleteMessage, editMessage, listMessages, sendMessage } from "@agorusta/core/messages";
import { kickMember, leaveServer, listMembers } from "@agorusta/core/members";
import { purgeServer, retireServer } from "@agorusta/core/serverDeletion";
import { createInvite, deleteInvite, listInvites } from "@agorusta/core/invites";
import { createServerPassword, deleteServerPassword, joinByPassword, listServerPasswords } from "@agorusta/core/serverPasswords";
import {
  createChannelBody,
  createInviteBody,
  createPasswordBody,
  createServerBody,
  historyQuery,
  joinByPasswordBody,
  membersQuery,
  messageBody,
} from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/auth.ts";
import { validate } from "../http/validate.ts";
import { ids, inviteCode } from "../http/params.ts";
import { guardCredentials } from "../http/bruteForce.ts";
import { announceJoin, announceLeave } from "../http/announce.ts";

/** The path's message coordinates and the caller, as the message functions take them. */
const messageKey = (c: Context<AppEnv>) => ({
  serverId: c.req.param("id")!,
  channelId: c.req.param("cid")!,
  messageId: c.req.param("mid")!,
  userId: c.var.userId,
});

export const serversRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", async (c) => c.json(await listMyServers(deps.db, c.var.userId), 200))
    .post("/", validate("json", createServerBody), async (c) => {
      const owner = await getUser(deps.db, c.var.userId);
      return c.json(await createServer(deps.db, owner, c.req.valid("json").name), 201);
    })
    .post("/join", validate("json", joinByPasswordBody), async (c) => {
      const { name, password } = c.req.valid("json");
      const { server, joined } = await guardCredentials(deps, c, "joinByPassword", name, () =>
        joinByPassword(deps.db, { name, password, userId: c.var.userId }),
      );
      await announceJoin(deps, server.id, joined);
      return c.json(server, 200);
    })
    .get("/:id", ids("id"), async (c) => c.json(await getServerDetail(deps.db, c.req.param("id"), c.var.userId), 200))
    .post("/:id/channels", ids("id"), validate("json", createChannelBody), async (c) => {
      const channel = await createChannel(deps.db, c.req.param("id"), c.var.userId, c.req.valid("json").name);
      await deps.publisher.toServer(channel.serverId, { type: "channel_created", channel });
      return c.json(channel, 201);
    })
    .get("/:id/channels/:cid/messages", ids("id", "cid"), validate("query", historyQuery), async (c) => {
      const { limit, before, after } = c.req.valid("query");
      const page = await listMessages(deps.db, {
        serverId: c.req.param("id"), channelId: c.req.param("cid"), userId: c.var.userId, limit, before, after,
      });
      return c.json(page, 200);
    })
    .post("/:id/channels/:cid/messages", ids("id", "cid"), validate("json", messageBody), async (c) => {
      const message = await sendMessage(deps.db, {
        serverId: c.req.param("id"), channelId: c.req.param("cid"), userId: c.var.userId, content: c.req.valid("json").content,
      });
      await deps.publisher.toChannel(message.channelId, { type: "new_message", message });
      return c.json(message, 201);
    })
    .patch("/:id/channels/:cid/messages/:mid", ids("id", "cid", "mid"), validate("json", messageBody), async (c) => {
      const message = await editMessage(deps.db, { ...messageKey(c), content: c.req.valid("json").content });
      await deps.publisher.toChannel(message.channelId, { type: "message_updated", message });
      return c.json(message, 200);
    })
    .delete("/:id/channels/:cid/messages/:mid", ids("id", "cid", "mid"), async (c) => {
      const key = messageKey(c);
      await deleteMessage(deps.db, key);
      await deps.publisher.toChannel(key.channelId, { type: "message_deleted", channelId: key.channelId, messageId: key.messageId });
      return c.body(null, 204);
    })
    .get("/:id/members", ids("id"), validate("query", membersQuery), async (c) => {
      const { limit, after } = c.req.valid("query");
      return c.json(await listMembers(deps.db, { serverId: c.req.param("id"), userId: c.var.userId, limit, after }), 200);
    })
    .delete("/:id/members/me", ids("id"), async (c) => {
      const serverId = c.req.param("id");
      await leaveServer(deps.db, serverId, c.var.userId);
      await announceLeave(deps, serverId, c.var.userId);
      return c.body(null, 204);
    })
    .delete("/:id/members/:userId", ids("id", "userId"), async (c) => {
      const serverId = c.req.param("id");
      const kicked = await kickMember(deps.db, serverId, c.var.userId, c.req.param("userId"));
      await announceLeave(deps, serverId, kicked.userId);
      return c.body(null, 204);
    })
    .delete("/:id", ids("id"), async (c) => {
      const serverId = c.req.param("id");
      await retireServer(deps.db, serverId, c.var.userId);
      // Announced while the subscriptions that say who listens still exist; then they go too.
      await deps.publisher.toServer(serverId, { type: "server_deleted", serverId }, { alsoUserIds: [c.var.userId] });
      await purgeServer(deps.db, serverId);
      return c.body(null, 204);
    })
    .post("/:id/invites", ids("id"), validate("json", createInviteBody), async (c) => {
      const invite = await createInvite(deps.db, { serverId: c.req.param("id"), userId: c.var.userId, ...c.req.valid("json") });
      return c.json(invite, 201);
    })
    .get("/:id/invites", ids("id"), async (c) => c.json(await listInvites(deps.db, c.req.param("id"), c.var.userId), 200))
    .delete("/:id/invites/:code", ids("id"), inviteCode(), async (c) => {
      await deleteInvite(deps.db, c.req.param("id"), c.var.userId, c.req.param("code"));
      return c.body(null, 204);
    })
    .post("/:id/passwords", ids("id"), validate("json", createPasswordBody), async (c) => {
      const created = await createServerPassword(deps.db, { serverId: c.req.param("id"), userId: c.var.userId, ...c.req.valid("json") });
      return c.json(created, 201);
    })
    .get("/:id/passwords", ids("id"), async (c) => c.json(await listServerPasswords(deps.db, c.req.param("id"), c.var.userId), 200))
    .delete("/:id/passwords/:pid", ids("id", "pid"), async (c) => {
      await deleteServerPassword(deps.db, c.req.param("id"), c.var.userId, c.req.param("pid"));
      return c.body(null, 204);
    });

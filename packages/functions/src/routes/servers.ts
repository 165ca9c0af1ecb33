import { Hono } from "hono";
import { getUser } from "@agorusta/core/accounts";
import { createChannel, createServer, getServerDetail, listMyServers } from "@agorusta/core/servers";
import { listMessages, sendMessage } from "@agorusta/core/messages";
import { createInvite, deleteInvite, listInvites } from "@agorusta/core/invites";
import { createServerPassword, deleteServerPassword, joinByPassword, listServerPasswords } from "@agorusta/core/serverPasswords";
import {
  createChannelBody,
  createInviteBody,
  createPasswordBody,
  createServerBody,
  historyQuery,
  joinByPasswordBody,
  messageBody,
} from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/auth.ts";
import { validate } from "../http/validate.ts";
import { ids, inviteCode } from "../http/params.ts";
import { guardCredentials } from "../http/bruteForce.ts";

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
      const server = await guardCredentials(deps, c, "joinByPassword", name, () =>
        joinByPassword(deps.db, { name, password, userId: c.var.userId }),
      );
      return c.json(server, 200);
    })
    .get("/:id", ids("id"), async (c) => c.json(await getServerDetail(deps.db, c.req.param("id"), c.var.userId), 200))
    .post("/:id/channels", ids("id"), validate("json", createChannelBody), async (c) => {
      const channel = await createChannel(deps.db, c.req.param("id"), c.var.userId, c.req.valid("json").name);
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

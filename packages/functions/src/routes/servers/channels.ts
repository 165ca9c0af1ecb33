import { Hono } from "hono";
import { createChannel } from "@agorusta/core/servers";
import { channelParams, createChannelBody, readBody, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { liveCap } from "../../http/usage.ts";
import { changesRoutes, channelHandlers, channelRef, messagesRoutes } from "./messages.ts";
import { attachmentsRoutes } from "./attachments.ts";

/** `/servers/:id/channels`: creating channels (owner only, at most 500 a server), marking one read; each channel's messages and change feed below. */
export const channelsRoutes = (deps: Deps) => {
  const handlers = channelHandlers(deps);
  return new Hono<AppEnv>()
    .post("/", params(serverParams), validate("json", createChannelBody), async (c) => {
      const channel = await createChannel(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("json").name, liveCap(deps, "channels"));
      await deps.publisher.toServer(channel.serverId, { type: "channel_created", channel });
      return c.json(channel, 201);
    })
    .put("/:cid/read", params(channelParams), validate("json", readBody), async (c) =>
      c.json(await handlers.read(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("json").messageId), 200),
    )
    .route("/:cid/messages", messagesRoutes(deps))
    .route("/:cid/changes", changesRoutes(deps))
    .route("/:cid/attachments", attachmentsRoutes(deps));
};

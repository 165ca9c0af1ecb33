import { Hono } from "hono";
import { createChannel } from "@agorusta/core/servers";
import { createChannelBody, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { changesRoutes, messagesRoutes } from "./messages.ts";

/** `/servers/:id/channels`: creating channels (owner only); each channel's messages below. */
export const channelsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/", params(serverParams), validate("json", createChannelBody), async (c) => {
      const channel = await createChannel(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("json").name);
      await deps.publisher.toServer(channel.serverId, { type: "channel_created", channel });
      return c.json(channel, 201);
    })
    .route("/:cid/messages", messagesRoutes(deps))
    .route("/:cid/changes", changesRoutes(deps));

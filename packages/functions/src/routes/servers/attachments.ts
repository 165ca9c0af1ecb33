import { Hono } from "hono";
import { createChannelUpload } from "@agorusta/core/attachments";
import { channelParams, uploadBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";

/** `/servers/:id/channels/:cid/attachments`: a presigned upload for a file to attach to a message there. */
export const attachmentsRoutes = (deps: Deps) =>
  new Hono<AppEnv>().post("/", params(channelParams), validate("json", uploadBody), async (c) => {
    const { id: serverId, cid: channelId } = c.req.valid("param");
    return c.json(await createChannelUpload(deps, { serverId, channelId, userId: c.var.userId, ...c.req.valid("json") }), 201);
  });

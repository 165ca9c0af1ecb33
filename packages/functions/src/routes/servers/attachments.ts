import { Hono } from "hono";
import { channelParams, uploadBody, uploadObject } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { channelHandlers, channelRef } from "./messages.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Attachments");

/** `/servers/:id/channels/:cid/attachments`: a presigned upload for a file to attach to a message there. */
export const attachmentsRoutes = (deps: Deps) => {
  const channel = channelHandlers(deps);
  return new Hono<AppEnv>().post("/", doc("Declare a file to attach to a message: a presigned upload", { ok: 201, body: uploadObject }), params(channelParams), validate("json", uploadBody), async (c) =>
    c.json(await channel.upload(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("json")), 201),
  );
};

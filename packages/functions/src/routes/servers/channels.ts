import { Hono } from "hono";
import { changeOverwrite, channelPurgeJob, createChannel, deleteChannel, editChannel, reorderChannels } from "@agorusta/core/servers";
import {
  channelParams,
  createChannelBody,
  editChannelBody,
  overwriteBody,
  overwriteParams,
  readBody,
  reorderChannelsBody,
  serverParams,
  channelObject,
} from "@agorusta/core/schemas";
import * as v from "valibot";
import { channelView } from "@agorusta/core/views";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { liveCap } from "../../http/usage.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { announceChannels } from "../../delivery/channelEvents.ts";
import { changesRoutes, channelHandlers, channelRef, messagesRoutes } from "./messages.ts";
import { attachmentsRoutes } from "./attachments.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Channels");

/**
 * `/servers/:id/channels`: creating (at most 500 a server), reordering, editing and deleting
 * channels and categories, their permission overwrites, marking one read; each channel's messages
 * and change feed below. Who may do each is core's (servers/channel*.ts); what each tells whom,
 * delivery/channelEvents.ts.
 */
export const channelsRoutes = (deps: Deps) => {
  const handlers = channelHandlers(deps);
  const announce = announceChannels(deps);
  return new Hono<AppEnv>()
    .post("/", doc("Create a channel or a category (MANAGE_CHANNELS)", { ok: 201, body: channelObject, errors: [409] }), params(serverParams), validate("json", createChannelBody), async (c) => {
      const channel = await createChannel(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("json"), liveCap(deps, "channels"), auditReasonOf(c));
      await announce.created(channel);
      return c.json(channel, 201);
    })
    .patch("/", doc("Move channels: positions and categories (MANAGE_CHANNELS)", { ok: 200, body: v.array(channelObject) }), params(serverParams), validate("json", reorderChannelsBody), async (c) => {
      const { channels, moved } = await reorderChannels(deps.db, { serverId: c.req.valid("param").id, userId: c.var.userId, moves: c.req.valid("json"), reason: auditReasonOf(c) });
      await announce.updated(moved.map((m) => channelView(m)));
      return c.json(channels, 200);
    })
    .patch("/:cid", doc("Edit a channel: name, topic, slowmode, category (MANAGE_CHANNELS)", { ok: 200, body: channelObject, errors: [409] }), params(channelParams), validate("json", editChannelBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const { after, view, changed } = await editChannel(deps.db, { serverId, channelId, userId: c.var.userId, edit: c.req.valid("json"), reason: auditReasonOf(c) });
      if (changed) await announce.updated([channelView(after)]);
      return c.json(view, 200);
    })
    .delete("/:cid", doc("Delete a channel (MANAGE_CHANNELS); its messages are purged in the background", { ok: 204 }), params(channelParams), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const { channel, moved } = await deleteChannel(deps.db, { serverId, channelId, userId: c.var.userId, reason: auditReasonOf(c) });
      // Told while its subscriptions still say who listened; they go with the rest, in the background.
      await announce.deleted(channel, moved.map((m) => channelView(m)));
      await deps.purges.enqueue(channelPurgeJob(channelId));
      return c.body(null, 204);
    })
    .put("/:cid/overwrites/:targetId", doc("Set a role's or a member's permission overwrite on a channel (MANAGE_ROLES)", { ok: 204 }), params(overwriteParams), validate("json", overwriteBody), async (c) => {
      const { id: serverId, cid: channelId, targetId } = c.req.valid("param");
      const { channel, changed, before } = await changeOverwrite(deps.db, { serverId, channelId, userId: c.var.userId, targetId, next: c.req.valid("json"), reason: auditReasonOf(c) });
      if (changed) await announce.permissionsChanged(channelView(channel), before);
      return c.body(null, 204);
    })
    .delete("/:cid/overwrites/:targetId", doc("Remove a permission overwrite (MANAGE_ROLES)", { ok: 204 }), params(overwriteParams), async (c) => {
      const { id: serverId, cid: channelId, targetId } = c.req.valid("param");
      const { channel, changed, before } = await changeOverwrite(deps.db, { serverId, channelId, userId: c.var.userId, targetId, next: null, reason: auditReasonOf(c) });
      if (changed) await announce.permissionsChanged(channelView(channel), before);
      return c.body(null, 204);
    })
    .put("/:cid/read", doc("Mark the channel read up to a message", { ok: 200, answers: "`ReadState`" }), params(channelParams), validate("json", readBody), async (c) =>
      c.json(await handlers.read(c.var.userId, channelRef(c.req.valid("param")), c.req.valid("json").messageId), 200),
    )
    .route("/:cid/messages", messagesRoutes(deps))
    .route("/:cid/changes", changesRoutes(deps))
    .route("/:cid/attachments", attachmentsRoutes(deps));
};

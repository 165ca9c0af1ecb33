import { Hono } from "hono";
import { getUser } from "@agorusta/core/accounts";
import { createServer, getServerDetail, joinByPassword, listAuditLog, listMyServerDetails, listMyServers, renameServer, retireServer } from "@agorusta/core/servers";
import { auditLogQuery, createServerBody, editServerBody, joinByPasswordBody, serverObject, serverParams, serverSearchQuery, serversQuery } from "@agorusta/core/schemas";
import { searchServerMessages } from "@agorusta/core/search";
import type { AppEnv, Deps } from "../../deps.ts";
import { requireUser } from "../../http/requireUser.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { guardCredentials } from "../../http/bruteForce.ts";
import { announceJoin } from "../../delivery/membershipEvents.ts";
import { limitRate } from "../../http/usage.ts";
import { channelsRoutes } from "./channels.ts";
import { membersRoutes } from "./members.ts";
import { serverInvitesRoutes } from "./invites.ts";
import { passwordsRoutes } from "./passwords.ts";
import { bansRoutes } from "./bans.ts";
import { iconRoutes } from "./icon.ts";
import { rolesRoutes } from "./roles.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { serverNotificationRoutes } from "../notifications.ts";
import { serverWebhooksRoutes } from "./webhooks.ts";
import { serverBotsRoutes } from "../bots.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Servers");

/** `/servers`: the caller's servers, creation, joining by password, one server; its resources nested below. */
export const serversRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    // `?include=details`: every server's details in one answer (the web app's start); without it, unchanged.
    .get(
      "/",
      doc("The caller's servers (with `include=details`, each one's ServerDetail)", { ok: 200, answers: "`Server[]`; with `include=details`, `ServerDetail[]` (whole servers up to 10,000 visible channels; `after`: the next ones)." }),
      validate("query", serversQuery),
      async (c) => {
        const { include, after } = c.req.valid("query");
        return include === "details"
          ? c.json(await listMyServerDetails(deps.db, c.var.userId, deps.files, after), 200)
          : c.json(await listMyServers(deps.db, c.var.userId, deps.files), 200);
      },
    )
    .post("/", doc("Create a server (the caller owns it)", { ok: 201, body: serverObject, errors: [409, 429] }), validate("json", createServerBody), async (c) => {
      await limitRate(deps, "createServer", c.var.userId);
      const owner = await getUser(deps.db, c.var.userId);
      return c.json(await createServer(deps.db, owner, c.req.valid("json").name), 201);
    })
    .post("/join", doc("Join a server by its name and a join password", { ok: 200, body: serverObject, errors: [429] }), validate("json", joinByPasswordBody), async (c) => {
      const { name, password } = c.req.valid("json");
      const { server, joined } = await guardCredentials(deps, c, "joinByPassword", name, () =>
        joinByPassword(deps.db, { name, password, userId: c.var.userId }, deps.files),
      );
      await announceJoin(deps, server.id, joined);
      return c.json(server, 200);
    })
    .get("/:id", doc("A server, with its channels, roles and the caller's standing", { ok: 200, answers: "`ServerDetail`" }), params(serverParams), async (c) => c.json(await getServerDetail(deps.db, c.req.valid("param").id, c.var.userId, deps.files), 200))
    .patch("/:id", doc("Rename a server (MANAGE_GUILD)", { ok: 200, body: serverObject, errors: [409] }), params(serverParams), validate("json", editServerBody), async (c) => {
      const serverId = c.req.valid("param").id;
      const reason = auditReasonOf(c);
      const { name } = c.req.valid("json");
      // Nothing to change (`{}`): the server as it is, for a member with MANAGE_GUILD.
      const { server, before } = await renameServer(deps.db, serverId, c.var.userId, name, deps.files, reason);
      if (name !== undefined && before !== name) await deps.publisher.toServer(serverId, { type: "server_updated", server });
      return c.json(server, 200);
    })
    .get("/:id/audit-log", doc("The server's audit log, newest first (VIEW_AUDIT_LOG)", { ok: 200, answers: "`AuditEntry[]`" }), params(serverParams), validate("query", auditLogQuery), async (c) =>
      c.json(await listAuditLog(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("query")), 200),
    )
    .delete("/:id", doc("Delete a server (its owner): gone at once, its contents purged in the background", { ok: 204 }), params(serverParams), async (c) => {
      const serverId = c.req.valid("param").id;
      await retireServer(deps.db, serverId, c.var.userId);
      // Announced while the subscriptions that say who listens still exist; then they go too,
      // with everything else of the server, in the background (core/servers/deletion.ts).
      await deps.publisher.toServer(serverId, { type: "server_deleted", serverId }, { alsoUserIds: [c.var.userId] });
      await deps.purges.enqueue(serverId);
      return c.body(null, 204);
    })
    .get("/:id/messages/search", doc("Search the server's messages the caller can read", { ok: 200, answers: "A page of `Message` hits and its cursor." }), params(serverParams), validate("query", serverSearchQuery), async (c) => {
      const { channelId, ...filters } = c.req.valid("query");
      return c.json(await searchServerMessages(deps, c.var.userId, c.req.valid("param").id, { ...filters, conversationId: channelId }), 200);
    })
    .route("/:id/channels", channelsRoutes(deps))
    .route("/:id/members", membersRoutes(deps))
    .route("/:id/invites", serverInvitesRoutes(deps))
    .route("/:id/passwords", passwordsRoutes(deps))
    .route("/:id/icon", iconRoutes(deps))
    .route("/:id/bans", bansRoutes(deps))
    .route("/:id/roles", rolesRoutes(deps))
    .route("/", serverNotificationRoutes(deps))
    .route("/", serverWebhooksRoutes(deps))
    .route("/", serverBotsRoutes(deps));

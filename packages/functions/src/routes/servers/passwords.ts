import { Hono } from "hono";
import { createServerPassword, deleteServerPassword, listServerPasswords } from "@agorusta/core/servers";
import { createPasswordBody, serverParams, serverPasswordParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { liveCap } from "../../http/usage.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Join passwords");

/** `/servers/:id/passwords`: join passwords, for who has `MANAGE_GUILD` (never shown again after creation). */
export const passwordsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/", doc("Create a join password (MANAGE_GUILD)", { ok: 201, answers: "`ServerPassword`", errors: [409] }), params(serverParams), validate("json", createPasswordBody), async (c) => {
      const input = { serverId: c.req.valid("param").id, userId: c.var.userId, ...c.req.valid("json"), reason: auditReasonOf(c) };
      const created = await createServerPassword(deps.db, input, liveCap(deps, "serverPasswords"));
      return c.json(created, 201);
    })
    .get("/", doc("The server's join passwords, never the passwords themselves (MANAGE_GUILD)", { ok: 200, answers: "`ServerPassword[]`" }), params(serverParams), async (c) => c.json(await listServerPasswords(deps.db, c.req.valid("param").id, c.var.userId), 200))
    .delete("/:pid", doc("Delete a join password (MANAGE_GUILD)", { ok: 204 }), params(serverPasswordParams), async (c) => {
      const { id: serverId, pid } = c.req.valid("param");
      await deleteServerPassword(deps.db, serverId, c.var.userId, pid, auditReasonOf(c));
      return c.body(null, 204);
    });

import { Hono } from "hono";
import { addBotToServer, createBot, deleteBot, listBots, regenerateBotToken } from "@agorusta/core/bots";
import * as v from "valibot";
import { botParams, botTokenObject, createBotBody, createdBotObject, serverBotParams, userObject } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { announceJoin, announceLeave } from "../delivery/membershipEvents.ts";
import { documenting } from "../http/openapi.ts";

/** A person's own: a bot's token is refused (403). */
const doc = documenting("Bots", { caller: "person" });

/** `/bots` (api.md "Bots"): a person's own bots; a bot's token is refused here (403). */
export const botsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps, { bots: false }))
    .post("/", doc("Create a bot the caller owns (at most 10): its token, shown this once", { ok: 201, body: createdBotObject, errors: [409] }), validate("json", createBotBody), async (c) => c.json(await createBot(deps.db, c.var.userId, c.req.valid("json").username), 201))
    .get("/", doc("The caller's bots", { ok: 200, body: v.array(userObject) }), async (c) => c.json(await listBots(deps.db, c.var.userId), 200))
    .post("/:botId/token", doc("A new token for a bot; the old one stops at once", { ok: 200, body: botTokenObject }), params(botParams), async (c) => c.json(await regenerateBotToken(deps.db, c.var.userId, c.req.valid("param").botId), 200))
    .delete("/:botId", doc("Delete a bot: it leaves every server", { ok: 204 }), params(botParams), async (c) => {
      const botId = c.req.valid("param").botId;
      const { left } = await deleteBot(deps.db, c.var.userId, botId);
      await Promise.all(left.map(({ serverId, listeners }) => announceLeave(deps, serverId, botId, listeners)));
      return c.body(null, 204);
    });

/** `PUT /servers/:id/bots/:botId`: the bot's owner, holding `MANAGE_GUILD` there, adds it to the server. */
export const serverBotsRoutes = (deps: Deps) =>
  new Hono<AppEnv>().put("/:id/bots/:botId", doc("Add one's bot to a server (its owner, with MANAGE_GUILD there)", { ok: 204 }), params(serverBotParams), async (c) => {
    const { id: serverId, botId } = c.req.valid("param");
    await announceJoin(deps, serverId, await addBotToServer(deps.db, serverId, c.var.userId, botId));
    return c.body(null, 204);
  });

import { Hono } from "hono";
import { authenticate, changePassword, getUser, register } from "@agorusta/core/accounts";
import { endAllSessions, endSession, issueWsTicket, openSession } from "@agorusta/core/auth";
import { meView } from "@agorusta/core";
import { imageUrlOf } from "@agorusta/core/attachments";
import { changePasswordBody, loginBody, meObject, registerBody, sessionObject } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { validate } from "../http/validate.ts";
import { requireUser } from "../http/requireUser.ts";
import { guardCredentials } from "../http/bruteForce.ts";
import { closeConnectionsOf } from "../delivery/endSessions.ts";
import { endPushSubscriptions } from "@agorusta/core/notifications";
import { limitRateByAddress, liveCap } from "../http/usage.ts";
import { documenting } from "../http/openapi.ts";

/** `/auth/*` is a person's: a bot's token is refused (403) but for the WebSocket ticket (api.md "Bots"). */
const doc = documenting("Auth", { caller: "person" });

export const authRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/register", doc("Create an account (and its first session)", { ok: 201, body: sessionObject, caller: "anyone", errors: [409, 429] }), validate("json", registerBody), async (c) => {
      await limitRateByAddress(deps, c, "register");
      const { user, session } = await register(deps.db, c.req.valid("json"));
      return c.json({ token: await deps.tokens.issue(session), user: meView(user) }, 201);
    })
    .post("/login", doc("Sign in: a new session's token", { ok: 200, body: sessionObject, caller: "anyone", errors: [401, 429] }), validate("json", loginBody), async (c) => {
      const input = c.req.valid("json");
      const user = await guardCredentials(deps, c, "login", input.email, () => authenticate(deps.db, input));
      const { token, revoked } = await openSession(deps.db, deps.tokens, user, liveCap(deps, "sessions"));
      // A session ended to make room takes its sockets and push subscriptions with it, as a logout does.
      for (const sessionId of revoked) {
        await Promise.all([closeConnectionsOf(deps, user.userId, sessionId), endPushSubscriptions(deps.db, user.userId, sessionId)]);
      }
      return c.json({ token, user: meView(user, await imageUrlOf(deps.files, user.avatarKey)) }, 200);
    })
    .get("/me", doc("The caller's account", { ok: 200, body: meObject }), requireUser(deps, { bots: false }), async (c) => {
      const user = await getUser(deps.db, c.var.userId);
      return c.json(meView(user, await imageUrlOf(deps.files, user.avatarKey)), 200);
    })
    .post("/logout", doc("End this session", { ok: 204 }), requireUser(deps, { bots: false }), async (c) => {
      await endSession(deps.db, c.var.session);
      // This device stops hearing of the account: its sockets close, its push subscriptions go.
      await Promise.all([closeConnectionsOf(deps, c.var.userId, c.var.session.sessionId), endPushSubscriptions(deps.db, c.var.userId, c.var.session.sessionId)]);
      return c.body(null, 204);
    })
    .post("/logout-all", doc("End every session of the account", { ok: 204 }), requireUser(deps, { bots: false }), async (c) => {
      await endAllSessions(deps.db, c.var.userId);
      await Promise.all([closeConnectionsOf(deps, c.var.userId), endPushSubscriptions(deps.db, c.var.userId)]);
      return c.body(null, 204);
    })
    .post("/password", doc("Change the password: every session ends, a new one starts", { ok: 200, body: sessionObject, errors: [429] }), requireUser(deps, { bots: false }), validate("json", changePasswordBody), async (c) => {
      const userId = c.var.userId;
      // Limited like sign-in: a stolen token must not become a way to guess the password.
      const user = await guardCredentials(deps, c, "changePassword", userId, () => changePassword(deps.db, userId, c.req.valid("json")));
      await endAllSessions(deps.db, userId);
      // Every other session was just ended: none to make room for.
      const { token } = await openSession(deps.db, deps.tokens, user);
      await Promise.all([closeConnectionsOf(deps, userId), endPushSubscriptions(deps.db, userId)]);
      return c.json({ token, user: meView(user, await imageUrlOf(deps.files, user.avatarKey)) }, 200);
    })
    .post("/ws-ticket", doc("A one-use ticket to open the WebSocket with", { ok: 200, answers: "`{ticket}`", caller: "userOrBot" }), requireUser(deps), async (c) => c.json({ ticket: await issueWsTicket(deps.db, c.var.session) }, 200));

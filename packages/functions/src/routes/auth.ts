import { Hono } from "hono";
import { authenticate, getUser, register } from "@agorusta/core/accounts";
import { meView } from "@agorusta/core";
import { imageUrlOf } from "@agorusta/core/attachments";
import { loginBody, registerBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { validate } from "../http/validate.ts";
import { requireUser } from "../http/requireUser.ts";
import { guardCredentials } from "../http/bruteForce.ts";

export const authRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/register", validate("json", registerBody), async (c) => {
      const user = await register(deps.db, c.req.valid("json"));
      return c.json({ token: await deps.tokens.issue(user.userId), user: meView(user) }, 201);
    })
    .post("/login", validate("json", loginBody), async (c) => {
      const input = c.req.valid("json");
      const user = await guardCredentials(deps, c, "login", input.email, () => authenticate(deps.db, input));
      return c.json({ token: await deps.tokens.issue(user.userId), user: meView(user, await imageUrlOf(deps.files, user.avatarKey)) }, 200);
    })
    .get("/me", requireUser(deps), async (c) => {
      const user = await getUser(deps.db, c.var.userId);
      return c.json(meView(user, await imageUrlOf(deps.files, user.avatarKey)), 200);
    });

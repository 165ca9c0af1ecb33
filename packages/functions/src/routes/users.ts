import { Hono } from "hono";
import { searchUsers } from "@agorusta/core/accounts";
import * as v from "valibot";
import { meObject, searchQuery, uploadBody, uploadObject, userObject, useUploadBody } from "@agorusta/core/schemas";
import { createAvatarUpload, removeAvatar, setAvatar } from "@agorusta/core/attachments";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { limitRate } from "../http/usage.ts";
import { announceUserUpdated } from "../delivery/announcePresence.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Users");

export const usersRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/search", doc("Find people by username prefix (at most 20; never the caller, never a bot)", { ok: 200, body: v.array(userObject), errors: [429] }), validate("query", searchQuery), async (c) => {
      await limitRate(deps, "userSearch", c.var.userId);
      return c.json(await searchUsers(deps, c.var.userId, c.req.valid("query").q), 200);
    })
    // The caller's avatar: POST declares an image (201 Upload), PUT makes the upload the avatar
    // (200 Me), DELETE removes it (204). docs/decisions.md, "Avatars and server icons". Either
    // change is told to everyone who sees the user (`user_updated`, docs/decisions.md "People").
    .post("/me/avatar", doc("Declare an avatar image: a presigned upload", { ok: 201, body: uploadObject }), validate("json", uploadBody), async (c) => c.json(await createAvatarUpload(deps, c.var.userId, c.req.valid("json")), 201))
    .put("/me/avatar", doc("Make an uploaded image the caller's avatar", { ok: 200, body: meObject }), validate("json", useUploadBody), async (c) => {
      const me = await setAvatar(deps, c.var.userId, c.req.valid("json").uploadId);
      const { email: _private, ...user } = me;
      await announceUserUpdated(deps.db, deps.publisher, user);
      return c.json(me, 200);
    })
    .delete("/me/avatar", doc("Remove the caller's avatar", { ok: 204 }), async (c) => {
      await announceUserUpdated(deps.db, deps.publisher, await removeAvatar(deps, c.var.userId));
      return c.body(null, 204);
    });

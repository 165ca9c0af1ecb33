import { Hono } from "hono";
import { searchUsers } from "@agorusta/core/accounts";
import { searchQuery, uploadBody, useUploadBody } from "@agorusta/core/schemas";
import { createAvatarUpload, removeAvatar, setAvatar } from "@agorusta/core/attachments";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";

export const usersRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/search", validate("query", searchQuery), async (c) =>
      c.json(await searchUsers(deps, c.var.userId, c.req.valid("query").q), 200),
    )
    // The caller's avatar: POST declares an image (201 Upload), PUT makes the upload the avatar
    // (200 Me), DELETE removes it (204). docs/decisions.md, "Avatars and server icons".
    .post("/me/avatar", validate("json", uploadBody), async (c) => c.json(await createAvatarUpload(deps, c.var.userId, c.req.valid("json")), 201))
    .put("/me/avatar", validate("json", useUploadBody), async (c) => c.json(await setAvatar(deps, c.var.userId, c.req.valid("json").uploadId), 200))
    .delete("/me/avatar", async (c) => {
      await removeAvatar(deps, c.var.userId);
      return c.body(null, 204);
    });

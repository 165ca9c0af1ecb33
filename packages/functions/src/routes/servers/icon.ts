import { Hono } from "hono";
import { createIconUpload, removeIcon, setIcon } from "@agorusta/core/servers";
import { serverObject, serverParams, uploadBody, uploadObject, useUploadBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Servers");

/**
 * `/servers/:id/icon` (`MANAGE_GUILD`): POST declares an image (201 Upload), PUT makes the uploaded
 * image the icon (200 Server), DELETE removes it (204). docs/decisions.md, "Avatars and server icons".
 */
export const iconRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/", doc("Declare a server icon image: a presigned upload (MANAGE_GUILD)", { ok: 201, body: uploadObject }), params(serverParams), validate("json", uploadBody), async (c) =>
      c.json(await createIconUpload(deps, c.req.valid("param").id, c.var.userId, c.req.valid("json")), 201),
    )
    .put("/", doc("Make an uploaded image the server's icon (MANAGE_GUILD)", { ok: 200, body: serverObject }), params(serverParams), validate("json", useUploadBody), async (c) =>
      c.json(await setIcon(deps, c.req.valid("param").id, c.var.userId, c.req.valid("json").uploadId, auditReasonOf(c)), 200),
    )
    .delete("/", doc("Remove the server's icon (MANAGE_GUILD)", { ok: 204 }), params(serverParams), async (c) => {
      await removeIcon(deps, c.req.valid("param").id, c.var.userId, auditReasonOf(c));
      return c.body(null, 204);
    });

import { vValidator } from "@hono/valibot-validator";
import type { GenericSchema } from "valibot";
import type { Context, ValidationTargets } from "hono";
import { AppError } from "@agorusta/core";
import { toIssues } from "@agorusta/core/schemas";

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;

/**
 * What Hono's JSON validator lets through but the contract does not: a body that is not a
 * JSON object (valibot's `object` accepts an array) where the schema wants one (a reorder's is
 * a list: api.md `PATCH /servers/:id/channels`), or a body sent under another content type
 * (Hono then validates `{}` as if nothing had been sent).
 */
async function assertJsonObject(c: Context, wantsList: boolean) {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
  if (!JSON_MEDIA.test(mediaType)) {
    if ((await c.req.text()).length > 0) {
      throw new AppError("invalid_request", "Send the body as JSON, with content-type: application/json.");
    }
    return;
  }
  if (Array.isArray(await c.req.json()) && !wantsList) throw new AppError("invalid_request", "The request body must be a JSON object.");
}

/** Hono's valibot validator, answering failures with the contract's 400 instead of its own shape. */
export const validate = <T extends GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  vValidator(target, schema, async (result, c) => {
    if (!result.success) {
      throw new AppError("invalid_request", result.issues[0]?.message, { issues: toIssues(result.issues) });
    }
    if (target === "json") await assertJsonObject(c, schema.type === "array");
  });

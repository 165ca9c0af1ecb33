import { validator } from "hono-openapi";
import type { BaseIssue, GenericSchema } from "valibot";
import type { Context, ValidationTargets } from "hono";
import { AppError } from "@agorusta/core";
import { toIssues } from "@agorusta/core/schemas";

/**
 * The issues of a failed validation: hono-openapi's validator gives them as Standard Schema's
 * issues, which valibot's own are (it answers its issues through its `~standard` interface).
 */
export const valibotIssues = (issues: readonly unknown[]) => issues as readonly BaseIssue<unknown>[];

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

/**
 * Hono's validator for a body or a query, answering failures with the contract's 400 instead of
 * its own shape. hono-openapi's: the schema it validates with is the one `/openapi.json` shows
 * (http/openapi.ts).
 */
export const validate = <T extends GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  validator(target, schema, async (result, c) => {
    if (!result.success) {
      const issues = valibotIssues(result.error);
      throw new AppError("invalid_request", issues[0]?.message, { issues: toIssues(issues) });
    }
    if (target === "json") await assertJsonObject(c, schema.type === "array");
  });

import { validator } from "hono-openapi";
import type { GenericSchema } from "valibot";
import { AppError, type ErrorCode } from "@agorusta/core";
import { valibotIssues } from "./validate.ts";

/**
 * Hono's validator for path parameters (hono-openapi's, so `/openapi.json` shows each parameter's
 * schema). A value that cannot be one of ours names nothing, so a failure is a 404 (the contract:
 * a malformed id is an unknown id), never a 400, and no table is read for it (an oversized key
 * would reach DynamoDB as a ValidationException). `codes` names a more precise 404 for a
 * parameter (`code` → `invite_not_found`).
 */
export const params = <T extends GenericSchema>(schema: T, codes: Record<string, ErrorCode> = {}) =>
  validator("param", schema, (result) => {
    if (result.success) return;
    const key = valibotIssues(result.error)[0]?.path?.[0]?.key;
    throw new AppError((typeof key === "string" && codes[key]) || "not_found");
  });

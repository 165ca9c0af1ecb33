import { vValidator } from "@hono/valibot-validator";
import type { GenericSchema } from "valibot";
import type { ValidationTargets } from "hono";
import { AppError } from "@agorusta/core";
import { toIssues } from "@agorusta/core/schemas";

/** Hono's valibot validator, answering failures with the contract's 400 instead of its own shape. */
export const validate = <T extends GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  vValidator(target, schema, (result) => {
    if (!result.success) {
      throw new AppError("invalid_request", result.issues[0]?.message, { issues: toIssues(result.issues) });
    }
  });

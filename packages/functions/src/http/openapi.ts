/**
 * What every route's entry in the OpenAPI document shares (api.md "OpenAPI"): who may call it
 * (the security schemes), the contract's error answers, and the shape of a route's description.
 * The request schemas reach the document by themselves: `validate` and `params` are
 * hono-openapi's validator, so the schema a route checks with is the one it shows. The routes add
 * only what a validator cannot know: a summary, a tag, who may call, what a success answers.
 */
import { describeRoute, resolver, type DescribeRouteOptions, type GenerateSpecOptions } from "hono-openapi";
import * as v from "valibot";
import { errorBody } from "@agorusta/core/schemas";

/**
 * Who may call a route: anyone (no `Authorization`), a person or a bot (`Bearer` or `Bot`), or a
 * person only (`/auth/*`, `/bots`, push: api.md "Bots").
 */
export type Caller = "anyone" | "userOrBot" | "person";

/** The document's security schemes (components.securitySchemes), by the names routes use. */
export const securitySchemes: NonNullable<NonNullable<GenerateSpecOptions["documentation"]["components"]>["securitySchemes"]> = {
  bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A session's token, from POST /auth/register or /auth/login." },
  bot: { type: "apiKey", in: "header", name: "Authorization", description: "`Bot <token>`: a bot's token, from POST /bots." },
};

const securityOf: Record<Caller, NonNullable<DescribeRouteOptions["security"]>> = {
  anyone: [],
  userOrBot: [{ bearer: [] }, { bot: [] }],
  person: [{ bearer: [] }],
};

/** The error answers, by status (api.md "Conventions"): each is the one error body with the codes it may carry. */
const errorStatuses = {
  400: "`invalid_request`: the body, the query or the text in them is not valid (with `issues`).",
  401: "`unauthorized`: no token, or one that is invalid, expired or ended.",
  403: "`forbidden` (and the route's own codes): the caller may not do this.",
  404: "`not_found`: no such thing, or one the caller may not know exists.",
  409: "A uniqueness or a limit: `*_taken`, `limit_reached`, `owner_cannot_leave`.",
  410: "Gone: `invite_expired`, `invite_exhausted`, `cursor_expired`.",
  413: "`payload_too_large`: the body is over the limit.",
  429: "`rate_limited`: too many attempts; `retry-after` says when to try again.",
  503: "`unavailable`: the database cannot be reached right now.",
} as const;
export type ErrorStatus = keyof typeof errorStatuses;

/** The error body, once in the document (components.schemas.Error); every error answer refers to it. */
const errorSchema = resolver(v.pipe(errorBody, v.metadata({ ref: "Error" })));

/** components.responses: one per error status, named `Error<status>`. */
export const errorResponses = Object.fromEntries(
  Object.entries(errorStatuses).map(([status, description]) => [`Error${status}`, { description, content: { "application/json": { schema: errorSchema } } }]),
);

const errorRef = (status: ErrorStatus) => ({ $ref: `#/components/responses/Error${status}` });

/** What one route answers and who may call it. */
export interface RouteDoc {
  /** The success status (several: each, e.g. 201 created or 200 already there). */
  ok: number | readonly number[];
  /** The success's JSON body, where core has its schema (core/schemas.ts "Answers"). */
  body?: v.GenericSchema;
  /** The success in words: the contract's object it answers (`ServerDetail`, `Message[]`…). */
  answers?: string;
  /** Errors beyond those every route may answer (400, 404, 503, and 401/403 where a token is needed). */
  errors?: readonly ErrorStatus[];
  /** An error answered with another body than the contract's (Discord's 429 on a webhook's execution). */
  errorBodies?: Partial<Record<ErrorStatus, v.GenericSchema>>;
  caller?: Caller;
  /** A body a route reads itself instead of through `validate` (a webhook's execution). */
  requestBody?: DescribeRouteOptions["requestBody"];
  description?: string;
}

/**
 * The `describeRoute` of the routes of one resource (`tag`): `doc(summary, { ok, body, … })` before
 * a route's handlers. `caller` is the resource's default (a route may say otherwise).
 */
export const documenting =
  (tag: string, defaults: { caller?: Caller } = {}) =>
  (summary: string, route: RouteDoc) => {
    const caller = route.caller ?? defaults.caller ?? "userOrBot";
    const statuses: ErrorStatus[] = [400, ...(caller === "anyone" ? [] : ([401, 403] as const)), 404, ...(route.errors ?? []), 503];
    const success = (status: number) => [
      String(status),
      {
        description: status === 204 ? "Done; no body." : (route.answers ?? "OK"),
        ...(route.body && status !== 204 ? { content: { "application/json": { schema: resolver(route.body) } } } : {}),
      },
    ];
    const oks = typeof route.ok === "number" ? [route.ok] : route.ok;
    return describeRoute({
      tags: [tag],
      summary,
      ...(route.description ? { description: route.description } : {}),
      security: securityOf[caller],
      ...(route.requestBody ? { requestBody: route.requestBody } : {}),
      responses: Object.fromEntries([
        ...oks.map(success),
        ...[...new Set(statuses)].sort().map((s) => {
          const own = route.errorBodies?.[s];
          return [String(s), own ? { description: errorStatuses[s], content: { "application/json": { schema: resolver(own) } } } : errorRef(s)];
        }),
      ]),
    });
  };

/**
 * Executing an incoming webhook (api.md "Incoming webhooks"): `POST /webhooks/:wid/:token` with
 * Discord's body (JSON, or multipart with `payload_json` and `files[n]`), and `/slack` with
 * Slack's. Mounted at `/webhooks` and at `/v10/webhooks`, where `@discordjs/rest` sends it when
 * its `api` option is this API's base URL (README). The message goes through the channel's own
 * send handler (routes/conversation.ts): stored, announced, counted in read states and mentions,
 * as any message is.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { resolver } from "hono-openapi";
import { AppError } from "@agorusta/core";
import { messageEvents } from "../delivery/messageEvents.ts";
import {
  authorizeWebhook,
  discordText,
  limitWebhook,
  slackText,
  storeWebhookFiles,
  webhookChannel,
  webhookMessage,
  webhookRef,
  type WebhookFile,
} from "@agorusta/core/webhooks";
import { MAX_ATTACHMENTS } from "@agorusta/core/attachments";
import { discordRateLimitBody, discordWebhookBody, executeWebhookParams, messageObject, executeWebhookQuery, parse, slackWebhookBody, type AllowedMentions } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { params } from "../http/params.ts";
import { validate } from "../http/validate.ts";
import { conversationHandlers } from "./conversation.ts";
import { documenting } from "../http/openapi.ts";

/** The token in the path is the credential: no `Authorization`. */
const doc = documenting("Webhooks", { caller: "anyone" });
/** The bodies these routes read themselves (multipart, Slack's form): shown from the very schemas they parse with. */
const discordBody = {
  required: true,
  content: {
    "application/json": { schema: resolver(discordWebhookBody) },
    "multipart/form-data": {
      schema: {
        type: "object",
        description: "The JSON body as the part `payload_json`, and up to 10 files as `files[0]`…`files[9]`.",
        properties: { payload_json: { type: "string" }, "files[0]": { type: "string", contentMediaType: "application/octet-stream" } },
      },
    },
  },
} as const;
const slackBody = { required: true, content: { "application/json": { schema: resolver(slackWebhookBody) } } } as const;

/** A webhook's body may carry files: 8 MiB in all (deployed, Lambda's 6 MB request cap comes first). */
export const WEBHOOK_MAX_BODY_BYTES = 8 * 1024 * 1024;

export const webhookBodyLimit = bodyLimit({
  maxSize: WEBHOOK_MAX_BODY_BYTES,
  onError: () => {
    throw new AppError("payload_too_large", "A webhook's body is at most 8 MiB.");
  },
});

/** Whether a path is an execution (the app's 64 KiB body limit gives way to this route's own). */
export const isWebhookExecution = (path: string) => /^\/(v10\/)?webhooks\/[^/]+\/[^/]+(\/slack)?\/?$/.test(path);

/** Discord's 429 body on these routes (`retry_after` in seconds), which Discord's clients wait on. */
async function discordLimits(c: Context, next: () => Promise<void>) {
  await next();
  // Hono has already answered the error (app.onError) and kept it in `c.error`: that answer is replaced.
  const e = c.error;
  if (!(e instanceof AppError) || e.code !== "rate_limited") return;
  const retryAfter = e.retryAfter ?? 1;
  c.res = undefined;
  const body: v.InferOutput<typeof discordRateLimitBody> = { message: e.message, retry_after: retryAfter, global: false };
  c.res = c.json(body, 429, { "retry-after": String(retryAfter) });
}

/** The Discord body of a multipart execution: `payload_json`, or the fields themselves; and its files. */
async function multipart(c: Context): Promise<{ body: unknown; files: WebhookFile[] }> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new AppError("invalid_request", "The multipart body could not be read.");
  }
  const payload = form.get("payload_json");
  let body: unknown = Object.fromEntries([...form.entries()].filter(([, value]) => typeof value === "string"));
  if (typeof payload === "string") {
    try {
      body = JSON.parse(payload);
    } catch {
      throw new AppError("invalid_request", "payload_json is not valid JSON.");
    }
  }
  const parts = [...form.entries()].filter((e): e is [string, File] => typeof e[1] !== "string");
  if (parts.some(([name]) => !/^files\[\d+\]$|^file\d*$/.test(name))) throw new AppError("invalid_request", "Files go in parts named files[0] to files[9].");
  if (parts.length > MAX_ATTACHMENTS) throw new AppError("invalid_request", `A message can carry at most ${MAX_ATTACHMENTS} files.`);
  const files = await Promise.all(parts.map(async ([, f]) => ({ filename: f.name, contentType: f.type.split(";")[0]!.trim(), bytes: new Uint8Array(await f.arrayBuffer()) })));
  return { body, files };
}

export const webhooksRoutes = (deps: Deps) => {
  /** Checks the token and the limit, stores the files, sends the message; nothing is stored for a wrong token or past the limit. */
  async function execute(webhookId: string, token: string, post: { content: string; username?: string | undefined; allowedMentions?: AllowedMentions | undefined; files?: WebhookFile[] }) {
    const webhook = await authorizeWebhook(deps.db, webhookId, token);
    await limitWebhook(deps.db, webhookId);
    const uploads = post.files?.length ? await storeWebhookFiles(deps, webhook, post.files) : [];
    const message = webhookMessage(post.content, uploads);
    const handlers = conversationHandlers(deps, webhookChannel(webhook, post), messageEvents.channel);
    return (await handlers.send(webhook.webhookId, webhookRef(webhook), message)).message;
  }
  return new Hono<AppEnv>()
    .use(discordLimits)
    .post("/:wid/:token", doc("Execute a webhook with Discord's body: 204, or with ?wait=true 200 and the message", { ok: [204, 200], body: messageObject, answers: "The message (with `?wait=true`).", errors: [401, 413, 429], errorBodies: { 429: discordRateLimitBody }, requestBody: discordBody }), params(executeWebhookParams), validate("query", executeWebhookQuery), async (c) => {
      const { wid, token } = c.req.valid("param");
      const multi = /^multipart\/form-data/i.test(c.req.header("content-type") ?? "");
      const { body, files } = multi ? await multipart(c) : { body: await jsonBody(c), files: [] };
      const discord = parse(discordWebhookBody, body);
      const message = await execute(wid, token, { content: discordText(discord), username: discord.username, allowedMentions: discord.allowed_mentions, files });
      return c.req.valid("query").wait === "true" ? c.json(message, 200) : c.body(null, 204);
    })
    .post("/:wid/:token/slack", doc("Execute a webhook with Slack's body: 200 ok (text/plain)", { ok: 200, answers: "`ok` (text/plain)", errors: [401, 429], errorBodies: { 429: discordRateLimitBody }, requestBody: slackBody }), params(executeWebhookParams), async (c) => {
      const { wid, token } = c.req.valid("param");
      const slack = parse(slackWebhookBody, await jsonBody(c));
      await execute(wid, token, { content: slackText(slack), username: slack.username });
      return c.text("ok", 200);
    });
};

/** A JSON object body (Slack's clients also send `payload=<json>` as a form, which is taken too). */
async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text();
  const raw = /^application\/x-www-form-urlencoded/i.test(type) ? (new URLSearchParams(text).get("payload") ?? "") : text;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("invalid_request", "The request body is not valid JSON.");
  }
  if (!v.is(v.record(v.string(), v.unknown()), body)) throw new AppError("invalid_request", "The request body must be a JSON object.");
  return body;
}

/**
 * The text of what Discord and Slack tools post. Agorusta draws no embeds or Slack attachments:
 * many tools (CI, monitoring) send nothing else, so their text becomes lines of the message
 * instead of the post being refused as empty.
 */
import type { DiscordWebhookBody, SlackWebhookBody } from "../schemas.ts";

const lines = (parts: readonly (string | undefined)[]) => parts.filter((p): p is string => !!p?.trim()).join("\n");

export function discordText(body: DiscordWebhookBody): string {
  const embeds = (body.embeds ?? []).map((e) =>
    lines([e.title ? `**${e.title}**` : undefined, e.description, ...(e.fields ?? []).map((f) => lines([f.name ? `**${f.name}**` : undefined, f.value])), e.url, e.footer?.text]),
  );
  return lines([body.content, ...embeds]);
}

export function slackText(body: SlackWebhookBody): string {
  return lines([body.text, ...(body.attachments ?? []).map((a) => lines([a.pretext, a.title, a.text ?? a.fallback]))]);
}

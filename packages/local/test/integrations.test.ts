/**
 * The clients people already use, unchanged, against the running runtime (api.md "Integrations"):
 * `@discordjs/rest` executing a webhook under `/api/v10` (JSON, `wait`, and a file), `@slack/webhook`'s
 * IncomingWebhook on the `/slack` URL, and the example bot of `examples/ping-bot.js`, run as its
 * own process with its bot token, answering `!ping` over the WebSocket.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { REST } from "@discordjs/rest";
import { IncomingWebhook } from "@slack/webhook";
import { liveRuntime, subscribe } from "./wsClient.ts";

const live = liveRuntime();
const exampleBot = fileURLToPath(new URL("../../../examples/ping-bot.js", import.meta.url));

describe("real clients", () => {
  it("@discordjs/rest and @slack/webhook post through a webhook's URL; subscribers see the messages live with a bot author", async () => {
    const s = await live.api.server();
    const ws = await live.open(s.owner);
    await subscribe(ws, s.channelId);
    const hook = (await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/webhooks`, { token: s.owner.token, body: { name: "Relay" } })).body;
    expect(hook.url).toBe(`${live.rt.url}/api/webhooks/${hook.id}/${hook.token}`);

    // discord.js's REST client, told only where the API is: it adds /v10 itself.
    const rest = new REST({ version: "10", api: `${live.rt.url}/api` });
    const route = `/webhooks/${hook.id}/${hook.token}` as const;
    const waited = (await rest.post(route, { body: { content: "from discord.js", username: "Hookshot" }, query: new URLSearchParams({ wait: "true" }), auth: false })) as any;
    expect(waited).toMatchObject({ content: "from discord.js", webhookId: hook.id, author: { id: hook.id, username: "Hookshot", bot: true } });
    await rest.post(route, { body: { content: "the report" }, files: [{ name: "report.txt", data: Buffer.from("all green\n"), contentType: "text/plain" }], auth: false });

    const slack = new IncomingWebhook(`${hook.url}/slack`);
    expect(await slack.send({ text: "from slack", username: "Jenkins" })).toEqual({ text: "ok" });

    const live3 = await ws.waitForCount((f) => f.type === "new_message", 3);
    expect(live3.map((f) => [f.message.content, f.message.author.username, f.message.author.bot])).toEqual([
      ["from discord.js", "Hookshot", true],
      ["the report", "Relay", true],
      ["from slack", "Jenkins", true],
    ]);
    expect(live3[1]!.message.attachments).toMatchObject([{ filename: "report.txt", size: 10, contentType: "text/plain" }]);
  });

  it("the example bot gets a ticket with its token, subscribes, and answers !ping with pong", async () => {
    const s = await live.api.server();
    const created = await live.api.call("POST", "/bots", { token: s.owner.token, body: { username: `pinger${Date.now().toString(36)}` } });
    expect(created.status).toBe(201);
    expect((await live.api.call("PUT", `/servers/${s.id}/bots/${created.body.bot.id}`, { token: s.owner.token })).status).toBe(204);
    const ws = await live.open(s.owner);
    await subscribe(ws, s.channelId);

    const child = spawn(process.execPath, [exampleBot], {
      env: { ...process.env, AGORUSTA_URL: live.rt.url, AGORUSTA_BOT_TOKEN: created.body.token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    onTestFinished(() => void child.kill());
    let output = "";
    const subscribed = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        if (output.includes(`subscribed ${s.channelId}`)) resolve();
      });
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("exit", (code) => reject(new Error(`the bot exited (${code}): ${output}`)));
    });
    await subscribed;

    const ping = await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { content: "!ping" } });
    const pong = await ws.waitFor((f) => f.type === "new_message" && f.message.content === "pong");
    expect(pong.message).toMatchObject({ author: { id: created.body.bot.id, bot: true }, replyTo: { id: ping.body.id } });
    // It answers people only: its own pong (a bot's message) got no answer.
    const history = (await live.api.call("GET", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token })).body as { content: string }[];
    expect(history.filter((m) => m.content === "pong")).toHaveLength(1);
  });
});

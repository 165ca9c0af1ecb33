// A bot that answers `!ping` with `pong` in every channel it can see (api.md "Bots").
// Create it in the web app (Settings → Developer), add it to a server you manage, then:
//   AGORUSTA_URL=http://localhost:3000 AGORUSTA_BOT_TOKEN=<its token> node examples/ping-bot.js
// Node 22+ (its global fetch and WebSocket). No dependencies.
const base = process.env.AGORUSTA_URL ?? "http://localhost:3000";
const headers = { authorization: `Bot ${process.env.AGORUSTA_BOT_TOKEN}`, "content-type": "application/json" };

async function call(method, path, body) {
  const res = await fetch(`${base}/api${path}`, { method, headers, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

// A one-time ticket opens the WebSocket (the token never goes into a URL).
const { ticket } = await call("POST", "/auth/ws-ticket");
const socket = new WebSocket(`${base.replace(/^http/, "ws")}/ws?ticket=${ticket}`);

socket.addEventListener("open", async () => {
  // Listen to every text channel of every server the bot is in.
  const channels = [];
  for (const server of await call("GET", "/servers")) {
    const detail = await call("GET", `/servers/${server.id}`);
    channels.push(...detail.channels.filter((c) => c.type === "text"));
  }
  for (const c of channels) socket.send(JSON.stringify({ action: "subscribe", channelId: c.id }));
  console.log(`listening to ${channels.length} channels`);
});

socket.addEventListener("message", async ({ data }) => {
  const event = JSON.parse(data);
  if (event.type === "subscribed") console.log(`subscribed ${event.channelId}`);
  // Never answer a bot (itself included): two bots would answer each other forever.
  if (event.type !== "new_message" || event.message.author.bot) return;
  const { id, serverId, channelId, content } = event.message;
  if (content.trim() === "!ping") await call("POST", `/servers/${serverId}/channels/${channelId}/messages`, { content: "pong", replyTo: id });
});

// API Gateway closes a socket after two hours: run this under a supervisor that restarts it.
socket.addEventListener("close", () => {
  console.log("disconnected");
  process.exit(0);
});

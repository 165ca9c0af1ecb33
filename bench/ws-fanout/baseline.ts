/**
 * The baselines. `bare`: the least a broadcast can do — a POST's body relayed to every open `ws`
 * client in a frame shaped like Agorusta's `new_message`; no auth, no storage, no subscriptions.
 * `floor`: the least *this architecture* can do — the same, after one PutItem of the message to
 * the same DynamoDB Local Agorusta uses: store, then write the frame to each socket.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

/** `store` runs before the broadcast (the floor's PutItem); without it the server is the bare one. */
export async function startBaseline(store?: (message: { id: string; content: string; createdAt: string }) => Promise<void>): Promise<Baseline> {
  let seq = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", async () => {
      const { content } = JSON.parse(body) as { content: string };
      const message = {
        id: `${process.pid}${String(seq++).padStart(20, "0")}`, channelId: "c", serverId: "s", authorId: "u",
        author: { id: "u", username: "bench", createdAt: new Date().toISOString() },
        content, createdAt: new Date().toISOString(), editedAt: null,
      };
      if (store) await store(message);
      const frame = JSON.stringify({ type: "new_message", message });
      for (const client of wss.clients) client.send(frame);
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(message));
    });
  });
  const wss = new WebSocketServer({ server, path: "/ws" });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => wss.close(r));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Where one send's time goes at one subscriber: for N sequential POSTs (after WARM untimed ones),
 * the p50 offset from the client's send of each DynamoDB request's start and end, of the frame at
 * the subscriber and of the POST's answer; and the CPU per send of this process (client, API,
 * gateway and publisher together) and of DynamoDB Local's JVM. `TARGET=guaranteed` times the
 * guaranteed baseline instead (bench:ws's `guaranteedSend`); `PUSH=1` runs the push planner
 * in-process, as `npm start` does. `node bench/ws-fanout/timeline.ts`; docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import WebSocket from "ws";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";
import { startRuntime } from "@agorusta/local/runtime";
import { startBaseline } from "./baseline.ts";
import { apiCall, guaranteedSend, json } from "./main.ts";

const N = Number(process.env.N ?? 1000);
const WARM = Number(process.env.WARM ?? 1500);

const dynamo = await startDynamoLocal();
const tableName = `timeline_${Date.now()}`;
const rt = await startRuntime({
  dynamoEndpoint: dynamo.endpoint, tableName, jwtSecret: randomBytes(32).toString("hex"), port: 0, usageLimits: "off", search: false, push: process.env.PUSH === "1",
});
const call = apiCall(rt);

/** The frame's arrival at the one subscriber, and a POST of message number i. */
let arrived: (t: number) => void = () => {};
let post: (i: number) => Promise<unknown>;
let closeTarget = async () => {};
if (process.env.TARGET === "guaranteed") {
  const g = await startBaseline(guaranteedSend(rt, tableName));
  const ws = new WebSocket(`${g.url.replace(/^http/, "ws")}/ws`);
  await new Promise((r) => ws.once("open", r));
  ws.on("message", () => arrived(performance.now()));
  post = () => fetch(`${g.url}/messages`, { method: "POST", body: JSON.stringify({ content: "x" }) }).then(json);
  closeTarget = async () => (ws.close(), g.close());
} else {
  const { token } = await call("POST", "/auth/register", undefined, { email: "t@example.com", username: "timeline", password: "benchmark-password" });
  const server = await call("POST", "/servers", token, { name: "timeline" });
  const channelId = (await call("GET", `/servers/${server.id}`, token)).channels[0].id as string;
  const { ticket } = await call("POST", "/auth/ws-ticket", token);
  const ws = new WebSocket(`${rt.wsUrl}?ticket=${ticket}`);
  await new Promise((r) => ws.once("open", r));
  await new Promise<void>((resolve) => {
    ws.on("message", function subscribed(d) {
      if (JSON.parse(d.toString()).type !== "subscribed") return;
      ws.off("message", subscribed);
      resolve();
    });
    ws.send(JSON.stringify({ action: "subscribe", channelId }));
  });
  ws.on("message", (d) => {
    const t = performance.now();
    if (d.toString().includes('"new_message"')) arrived(t);
  });
  post = (i) => call("POST", `/servers/${server.id}/channels/${channelId}/messages`, token, { content: `m ${i}` });
  closeTarget = async () => ws.close();
}

/** DynamoDB Local's CPU so far, in ms (utime + stime, clock ticks of 10 ms). */
const jvmCpu = () => {
  const fields = readFileSync(`/proc/${dynamo.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rows: Record<string, number>[] = [];
let cpu0 = process.cpuUsage(), jvm0 = 0, wall0 = 0;
for (let i = 0; i < N + WARM; i++) {
  if (i === WARM) [cpu0, jvm0, wall0] = [process.cpuUsage(), jvmCpu(), performance.now()];
  rt.deps.dynamo.spans = [];
  const delivered = new Promise<number>((r) => (arrived = r));
  const t0 = performance.now();
  const [answered, at] = await Promise.all([post(i).then(() => performance.now()), delivered]);
  const spans = rt.deps.dynamo.spans ?? [];
  rt.deps.dynamo.spans = undefined;
  if (i < WARM) continue;
  const row: Record<string, number> = { answer: answered - t0, delivered: at - t0 };
  spans.forEach((s, k) => {
    row[`${k}:${s.op} start`] = s.start - t0;
    row[`${k}:${s.op} end`] = s.end - t0;
  });
  rows.push(row);
}
const cpu = process.cpuUsage(cpu0);
const perSend = (x: number) => `${(x / N).toFixed(2)} ms`;
console.log(`${process.env.TARGET ?? "agorusta"}, load ${loadavg()[0]!.toFixed(1)}; per send: this process's CPU user ${perSend(cpu.user / 1000)}, system ${perSend(cpu.system / 1000)}; DynamoDB Local's ${perSend(jvmCpu() - jvm0)}; wall ${perSend(performance.now() - wall0)}`);
const p50 = (k: string) => {
  const v = rows.map((r) => r[k]).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return { at: v[v.length >> 1]!, n: v.length };
};
const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => p50(k).n >= N / 10);
console.log(`p50 ms from the client's send (${N} sends; requests in at least a tenth of them):`);
for (const k of keys.sort((a, b) => p50(a).at - p50(b).at)) console.log(`  ${k.padEnd(30)} ${p50(k).at.toFixed(2).padStart(7)}  (${p50(k).n} sends)`);
await closeTarget();
await rt.close();
await dynamo.stop();

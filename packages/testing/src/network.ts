/**
 * What a process listens on, and whether another machine could reach it: the proof behind
 * "nothing `npm start` runs is on the network" (docs/security.md, "Loopback only"). Linux only
 * (it reads /proc), like the machines the tests run on.
 */
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** This machine's addresses other than loopback: what a neighbour on the network would connect to. */
export function nonLoopbackAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !(a.family === "IPv6" && a.address.startsWith("fe80:")))
    .map((a) => a!.address);
}

export interface Listener {
  /** As the kernel reports the bound address: `127.0.0.1`, `0.0.0.0`, `::`, `::ffff:127.0.0.1`… */
  address: string;
  port: number;
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) return hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".");
  // IPv6: four little-endian 32-bit words.
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  const full = groups.join(":");
  if (full === "0:0:0:0:0:0:0:0") return "::";
  if (full.startsWith("0:0:0:0:0:ffff:")) {
    const v4 = hex.slice(24).match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".");
    return `::ffff:${v4}`;
  }
  return full;
}

/** The TCP sockets in LISTEN state that these processes hold open. */
export function listenersOf(pids: number[]): Listener[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  const out: Listener[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9]!)) continue; // 0A: LISTEN
      const [addr, port] = f[1]!.split(":");
      out.push({ address: hexToAddress(addr!), port: parseInt(port!, 16) });
    }
  }
  return out;
}

/** Whether a TCP connection to `host:port` is accepted: `connected`, `refused`, or another error code. */
export function tryConnect(host: string, port: number): Promise<"connected" | "refused" | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? "refused" : (e.code ?? e.message)));
  });
}

/** `true` when the address is loopback: what "reachable from this machine only" means. */
export const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");

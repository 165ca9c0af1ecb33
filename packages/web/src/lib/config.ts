import { PUBLIC_API_URL, PUBLIC_WS_URL } from "$app/env/public";

/** The REST base: absolute when configured (deployed), else this origin's /api. */
export const apiBase = (): string => PUBLIC_API_URL ?? new URL("/api", location.origin).href;

/** The WebSocket endpoint: configured (deployed), else this origin's /ws with ws: or wss: to match the page. */
export const wsBase = (): string => {
  if (PUBLIC_WS_URL) return PUBLIC_WS_URL;
  const url = new URL("/ws", location.origin);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
};

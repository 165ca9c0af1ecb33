import type { ReadState } from "@agorusta/core";
import type { Deps } from "../deps.ts";

/** A moved read position reaches every connection of the reader (their other tabs and devices), no subscription needed. */
export async function announceRead(deps: Deps, userId: string, read: { state: ReadState; moved: boolean }): Promise<void> {
  if (read.moved) await deps.publisher.toUsers([userId], { type: "read_state", ...read.state });
}

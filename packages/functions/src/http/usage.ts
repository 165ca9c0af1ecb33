import type { Context } from "hono";
import { addressBucket, consumeAttempt, type UsageLimits } from "@agorusta/core/limits";
import type { Deps } from "../deps.ts";
import { clientAddress } from "./clientAddress.ts";

type Rate = { [K in keyof UsageLimits]: UsageLimits[K] extends number ? never : K }[keyof UsageLimits];
type Cap = Exclude<keyof UsageLimits, Rate>;

/**
 * Counts one use of `action` by `who` (a user id, or a conversation within it): 429
 * `rate_limited` with `retry-after` past the limit. Nothing is counted with the limits off.
 */
export async function limitRate(deps: Deps, action: Rate, who: string): Promise<void> {
  if (deps.usageLimits === "off") return;
  await consumeAttempt(deps.db, `${action}:${who}`, deps.usageLimits[action], deps.db.clock.now(), refusals[action]);
}

/** What a person is told when refused (followed by when to try again). */
const refusals: Record<Rate, string> = {
  messages: "You are sending messages too fast.",
  edits: "You are editing messages too fast.",
  reactions: "You are reacting too fast.",
  startDm: "You have started many conversations lately.",
  createServer: "You have created many servers lately.",
  register: "Many accounts were created from your network lately.",
  userSearch: "Too many searches.",
};

/** The same, counted per client address (registering). */
export const limitRateByAddress = (deps: Deps, c: Context, action: Rate) => limitRate(deps, action, `address:${addressBucket(clientAddress(c))}`);

/** The cap on live things of a kind (per server, or sessions per user), or null with the limits off. */
export const liveCap = (deps: Deps, kind: Cap): number | null => (deps.usageLimits === "off" ? null : deps.usageLimits[kind]);

/** Every cap at once (invites have three), or null with the limits off. */
export const liveCaps = (deps: Deps): UsageLimits | null => (deps.usageLimits === "off" ? null : deps.usageLimits);

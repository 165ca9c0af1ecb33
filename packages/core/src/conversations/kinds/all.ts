/**
 * Every kind of conversation, by name: what lists every conversation a user has (their read
 * states) goes through each, and packages/functions keys its events by these names
 * (delivery/messageEvents.ts). A new kind (threads) is one file beside these, and a line here.
 */
import { channel } from "./channel.ts";
import { dm } from "./dm.ts";

export const kinds = { channel, dm } as const;
export type KindName = keyof typeof kinds;
export const everyKind = Object.values(kinds);

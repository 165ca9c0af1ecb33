/**
 * Who of the people one talks to is online, for the DM list's dots (docs/decisions.md, "People"):
 * afterwards `presence` events keep it live (they reach DM partners too: functions' announcePresence).
 */
import type { Db } from "../model/index.ts";
import { pageLimits } from "../schemas.ts";
import { dmPartnersOf } from "../realtime/recipients.ts";
import { onlineUsers } from "../realtime/presence.ts";

/** The other participants of the caller's most recent conversations (a page of the DM list's worth) who are online now. */
export async function onlinePartners(db: Db, userId: string): Promise<string[]> {
  return [...(await onlineUsers(db, await dmPartnersOf(db, userId, pageLimits.dms)))];
}

import type { Member } from "@agorusta/core";
import type { Deps } from "../deps.ts";

/** `member_joined` to the server's listeners and to the newcomer's own connections (their other tabs). */
export async function announceJoin(deps: Deps, serverId: string, member: Member | null): Promise<void> {
  if (!member) return;
  await deps.publisher.toServer(serverId, { type: "member_joined", serverId, member }, { alsoUserIds: [member.user.id] });
}

/**
 * `member_left` to the server's listeners and to the one who left or was kicked (every tab of
 * theirs); then their sockets that listened to the server (`listeners`, from the deleted
 * membership) are closed, so nothing of the server reaches them any more: the client reconnects
 * and subscribes again, under the membership check (docs/decisions.md, "Removal is authoritative").
 */
export async function announceLeave(deps: Deps, serverId: string, userId: string, listeners: readonly string[]): Promise<void> {
  await deps.publisher.toServer(serverId, { type: "member_left", serverId, userId }, { alsoUserIds: [userId] });
  if (listeners.length) await deps.publisher.disconnect(listeners);
}

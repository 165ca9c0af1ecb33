import { memberView } from "@agorusta/core";
import type { MemberItem } from "@agorusta/core/model/index";
import { onlineUsers } from "@agorusta/core/presence";
import type { Deps } from "../deps.ts";

/** `member_joined` to the server's listeners and to the newcomer's own connections (their other tabs). */
export async function announceJoin(deps: Deps, membership: MemberItem | null): Promise<void> {
  if (!membership) return;
  const online = await onlineUsers(deps.db, [membership.userId]);
  await deps.publisher.toServer(
    membership.serverId,
    { type: "member_joined", serverId: membership.serverId, member: memberView(membership, online.has(membership.userId)) },
    { alsoUserIds: [membership.userId] },
  );
}

/** `member_left` to the server's listeners and to the one who left or was kicked (every tab of theirs). */
export async function announceLeave(deps: Deps, serverId: string, userId: string): Promise<void> {
  await deps.publisher.toServer(serverId, { type: "member_left", serverId, userId }, { alsoUserIds: [userId] });
}

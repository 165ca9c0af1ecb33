/**
 * After a change to who may see what in a server (api.md "Permission changes take effect at
 * once"): the sockets of a member who lost `VIEW_CHANNEL` on a channel stop getting its events
 * (their subscriptions to it are dropped) and their clients are told `channel_deleted`; a member
 * who gained it is told `channel_created`. The roles and channels routes call this once their
 * permission-changing write has committed (role edited, reordered or deleted; a member's roles
 * or timeout; a channel's overwrites).
 *
 * Every send already filters its audience by permissions (core/realtime/audiences.ts), so
 * nothing of the channel reaches a member who lost it even before this runs: this function is
 * what keeps their subscriptions honest and their screens in step.
 */
import type { ChannelItem, MemberItem, ServerRolesItem } from "@agorusta/core/model";
import type { Deps } from "../deps.ts";

/**
 * What changed, as it was BEFORE the change: with it, who gained and who lost a channel is known
 * exactly. Each field left out means "this did not change". Whatever is given, every subscription
 * whose member may no longer view its channel is dropped (the after-state is read from the table).
 */
export interface PermissionChange {
  serverId: string;
  /** The roles item before a role was created, edited, reordered or deleted (null: it had none, the default `@everyone`). */
  rolesBefore?: ServerRolesItem | null;
  /** Members whose roles or timeout changed, as they were before. */
  membersBefore?: ReadonlyArray<Pick<MemberItem, "userId" | "roleIds" | "timeoutUntil">>;
  /** Channels whose overwrites changed, with the overwrites they had before. */
  channelsBefore?: ReadonlyArray<Pick<ChannelItem, "channelId" | "overwrites">>;
}

/**
 * Resolves once the subscriptions that must go are gone and the clients' events are handed to the
 * publisher; never rejects (a failure is logged: the sends' own filtering still holds).
 */
export async function permissionsChanged(deps: Pick<Deps, "db" | "publisher">, change: PermissionChange): Promise<void> {
  void deps;
  void change;
}

/**
 * A member's permissions in one channel, and what they let them do there (api.md "Permissions":
 * "What a member cannot see does not exist for them"). Every channel-scoped route asks this file,
 * over items the route already read: the membership, the channel (its overwrites) and the
 * server's roles item (servers/grants.ts `rolesRead`, joined to the route's own BatchGetItem).
 */
import type { ChannelItem, MemberItem, ServerRolesItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";
import { channelPermissions, isTimedOut } from "../permissions/compute.ts";
import { memberGrants, overwritesOf, serverGrants } from "./grants.ts";

/** The member's computed permissions in the channel (`Channel.permissions`); of the member's item, only what the computation reads. */
export const permissionsIn = (
  member: Pick<MemberItem, "serverId" | "userId" | "roleIds" | "timeoutUntil" | "serverOwnerId" | "serverCreatedAt">,
  roles: ServerRolesItem | null | undefined,
  channel: Pick<ChannelItem, "overwrites">,
  nowMs: number,
): bigint => channelPermissions(serverGrants(member, roles), memberGrants(member), overwritesOf(channel), nowMs);

/** Whether the channel exists for someone with these permissions in it. */
export const canView = (permissions: bigint): boolean => has(permissions, PERMISSIONS.VIEW_CHANNEL);

/** A channel the caller may not view is, to them, a channel that does not exist. */
export function requireVisible(permissions: bigint): void {
  if (!canView(permissions)) throw new AppError("not_found", "No such channel.");
}

/** What a member does in a channel that takes a permission, and the sentence a refusal says. */
const NEEDS = {
  send: { bits: PERMISSIONS.SEND_MESSAGES, refusal: "You cannot send messages in this channel." },
  /** An upload, or a message with attachments: attaching needs sending too (api.md: without SEND_MESSAGES, ATTACH_FILES allows nothing). */
  attach: { bits: PERMISSIONS.SEND_MESSAGES | PERMISSIONS.ATTACH_FILES, refusal: "You cannot attach files in this channel." },
  history: { bits: PERMISSIONS.READ_MESSAGE_HISTORY, refusal: "You cannot read this channel's history." },
  /** Joining a reaction someone already added: reading the message is enough (api.md "ADD_REACTIONS"). */
  react: { bits: PERMISSIONS.READ_MESSAGE_HISTORY, refusal: "You cannot react in this channel." },
  /** Adding an emoji no one has added to the message yet. */
  newReaction: { bits: PERMISSIONS.READ_MESSAGE_HISTORY | PERMISSIONS.ADD_REACTIONS, refusal: "You cannot add new reactions in this channel." },
  /** Editing one's own message: as sending (a read-only channel, or a timeout, stops edits too). */
  edit: { bits: PERMISSIONS.SEND_MESSAGES, refusal: "You cannot edit messages in this channel." },
  deleteOthers: { bits: PERMISSIONS.MANAGE_MESSAGES, refusal: "You cannot delete other people's messages in this channel." },
} as const;

export type ChannelAct = keyof typeof NEEDS;

/** Whether these permissions allow `act`. */
export const allows = (permissions: bigint, act: ChannelAct): boolean => has(permissions, NEEDS[act].bits);

/** 403 unless these permissions allow `act` (the caller can see the channel, so it is no secret that it exists). */
export function requireAct(permissions: bigint, act: ChannelAct): void {
  if (!allows(permissions, act)) throw new AppError("forbidden", NEEDS[act].refusal);
}

/**
 * Whether a timeout keeps the member from reacting at all (Discord: a timed-out member cannot
 * react, though `READ_MESSAGE_HISTORY` survives the timeout); the owner and administrators are
 * never held back (their permissions are all, ADMINISTRATOR among them).
 */
export const heldByTimeout = (member: MemberItem, permissions: bigint, nowMs: number): boolean =>
  !has(permissions, PERMISSIONS.ADMINISTRATOR) && isTimedOut(memberGrants(member), nowMs);

/** Whether slowmode spares these permissions (api.md "Slowmode"). */
export const exemptFromSlowmode = (permissions: bigint): boolean =>
  has(permissions, PERMISSIONS.MANAGE_MESSAGES) || has(permissions, PERMISSIONS.MANAGE_CHANNELS);

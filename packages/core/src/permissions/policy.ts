/**
 * Who may do what in a server: the one policy that every check in core and every control the web
 * app shows asks. Today a server has two roles (its owner holds every power, a member none of the
 * moderating ones); the roles issue replaces the body of `can` with Discord's permission
 * computation, and no caller changes. Pure and free of Node: the web app imports it too.
 */

/** A member's role in a server (api.md: the creator is its `owner`, everyone who joins a `member`). */
export const ROLES = ["owner", "member"] as const;
export type Role = (typeof ROLES)[number];

/** The powers a member may hold in a server (named for what they allow, not for a role). */
export type Action =
  /** Rename the server, set its icon, set or clear its join password. */
  | "manage_server"
  /** Delete the server with everything in it. */
  | "delete_server"
  /** Create channels. */
  | "manage_channels"
  /** Create invites (every member may; the cap on live ones is per member unless they may manage invites). */
  | "create_invites"
  /** See and revoke every invite of the server, not only one's own. */
  | "manage_invites"
  | "kick_members"
  | "ban_members"
  /** Delete other people's messages. */
  | "manage_messages"
  /** `@everyone` notifies every member (from anyone else it is plain text). */
  | "mention_everyone"
  /** Leave the server (its owner cannot: it would be left without one). */
  | "leave_server";

/** The part of a membership the policy reads. */
export interface Actor {
  role: Role;
}

const OWNER_ONLY: ReadonlySet<Action> = new Set([
  "manage_server",
  "delete_server",
  "manage_channels",
  "manage_invites",
  "kick_members",
  "ban_members",
  "manage_messages",
  "mention_everyone",
]);

/**
 * Whether `actor` may do `action`; with `target`, whether they may do it to that member (nobody
 * acts on someone at or above their own rank: the owner cannot be kicked or banned). A caller
 * that is not a member (`null`) may do nothing.
 */
export function can(actor: Actor | null | undefined, action: Action, target?: Actor): boolean {
  if (!actor) return false;
  if (action === "leave_server") return actor.role !== "owner";
  if (target && rank(target) <= rank(actor)) return false;
  return OWNER_ONLY.has(action) ? actor.role === "owner" : true;
}

/** 0 is the highest: the owner outranks every member. */
const rank = (a: Actor) => (a.role === "owner" ? 0 : 1);

/** A member's place in the roster, as the `members` entity keeps it (highest rank first). */
export const rosterRankOf = (a: Actor) => String(rank(a));

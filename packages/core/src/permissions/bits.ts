/**
 * Discord's permission bits, by Discord's names and values (api.md "Permissions"), so that people
 * and bots who know Discord know Agorusta. A set is a `bigint` in code (bit 40 is past 2^32, and
 * Discord's newer bits pass 2^53) and a decimal string on the wire and in the table. Pure and free
 * of Node: the web app imports it for its toggles.
 */

export const PERMISSIONS = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MODERATE_MEMBERS: 1n << 40n,
} as const;

export type PermissionName = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as PermissionName[];

/** Every bit Agorusta knows: what the owner and an administrator hold. */
export const ALL_PERMISSIONS: bigint = Object.values(PERMISSIONS).reduce((a, b) => a | b, 0n);

/** What a member could do before roles: a new server's `@everyone`, and every older server's. */
export const DEFAULT_EVERYONE: bigint =
  PERMISSIONS.VIEW_CHANNEL |
  PERMISSIONS.SEND_MESSAGES |
  PERMISSIONS.READ_MESSAGE_HISTORY |
  PERMISSIONS.ADD_REACTIONS |
  PERMISSIONS.ATTACH_FILES |
  PERMISSIONS.EMBED_LINKS |
  PERMISSIONS.CREATE_INSTANT_INVITE;

/** What a timed-out member keeps at most (api.md: unless owner or administrator). */
export const TIMED_OUT_MAX: bigint = PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY;

/** What only matters where one may post: without `SEND_MESSAGES` these allow nothing. */
export const SEND_DEPENDENT: bigint = PERMISSIONS.MENTION_EVERYONE | PERMISSIONS.ATTACH_FILES;

/** The permissions that concern a channel: the only ones an overwrite may allow or deny (as in Discord). */
export const CHANNEL_PERMISSIONS: bigint =
  PERMISSIONS.CREATE_INSTANT_INVITE |
  PERMISSIONS.MANAGE_CHANNELS |
  PERMISSIONS.ADD_REACTIONS |
  PERMISSIONS.VIEW_CHANNEL |
  PERMISSIONS.SEND_MESSAGES |
  PERMISSIONS.MANAGE_MESSAGES |
  PERMISSIONS.EMBED_LINKS |
  PERMISSIONS.ATTACH_FILES |
  PERMISSIONS.READ_MESSAGE_HISTORY |
  PERMISSIONS.MENTION_EVERYONE |
  PERMISSIONS.MANAGE_ROLES |
  PERMISSIONS.MANAGE_WEBHOOKS;

/** Whether `set` holds every bit of `wanted`. */
export const has = (set: bigint, wanted: bigint): boolean => (set & wanted) === wanted;

/** A set as the wire and the table carry it: decimal digits. */
export const toWire = (set: bigint): string => set.toString(10);

/**
 * A wire or stored set back to bits. Only decimal digits are a set (schemas.ts checks input
 * before this); bits Agorusta does not know are kept, as Discord keeps them, and grant nothing here.
 */
export const fromWire = (text: string): bigint => BigInt(text);

/** The names of the bits set in `set` that Agorusta knows, in bit order. */
export const namesOf = (set: bigint): PermissionName[] => PERMISSION_NAMES.filter((n) => has(set, PERMISSIONS[n]));

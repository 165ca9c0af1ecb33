/**
 * The permission computation (permissions/compute.ts) against a plain reference written from
 * Discord's documented algorithm ("Permissions" in Discord's developer documentation:
 * compute_base_permissions and compute_overwrites, then the implicit denies and timeouts the
 * contract names), over random servers, roles, members, overwrites and timeouts (fast-check).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ALL_PERMISSIONS, PERMISSIONS } from "../src/permissions/bits.ts";
import { basePermissions, channelPermissions, rankOf, type MemberGrants, type OverwriteBits, type RoleGrant, type ServerGrants } from "../src/permissions/compute.ts";

const SERVER = "S";
const OWNER = "owner";
const NOW = Date.parse("2026-06-01T00:00:00Z");

// ---- The reference, as Discord documents it (pseudo-code transcribed, nothing shared with the implementation) ----

interface RefGuild { id: string; ownerId: string; roles: Map<string, { position: number; permissions: bigint }> }
interface RefMember { userId: string; roles: string[]; communicationDisabledUntil: string | null }

function refBase(guild: RefGuild, member: RefMember): bigint {
  if (member.userId === guild.ownerId) return ALL_PERMISSIONS;
  let permissions = guild.roles.get(guild.id)!.permissions;
  for (const roleId of member.roles) permissions |= guild.roles.get(roleId)!.permissions;
  if ((permissions & PERMISSIONS.ADMINISTRATOR) === PERMISSIONS.ADMINISTRATOR) return ALL_PERMISSIONS;
  return permissions;
}

function refOverwrites(base: bigint, guild: RefGuild, member: RefMember, overwrites: Map<string, { allow: bigint; deny: bigint }>): bigint {
  if ((base & PERMISSIONS.ADMINISTRATOR) === PERMISSIONS.ADMINISTRATOR) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.get(guild.id);
  if (everyone) {
    permissions &= ~everyone.deny;
    permissions |= everyone.allow;
  }
  let allow = 0n;
  let deny = 0n;
  for (const roleId of member.roles) {
    const o = overwrites.get(roleId);
    if (o) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions &= ~deny;
  permissions |= allow;
  const own = overwrites.get(member.userId);
  if (own) {
    permissions &= ~own.deny;
    permissions |= own.allow;
  }
  return permissions;
}

/** The contract's additions: no VIEW_CHANNEL, nothing; no SEND_MESSAGES, no MENTION_EVERYONE nor ATTACH_FILES; a timeout leaves VIEW_CHANNEL and READ_MESSAGE_HISTORY. */
function refChannel(guild: RefGuild, member: RefMember, overwrites: Map<string, { allow: bigint; deny: bigint }>): bigint {
  const base = refBase(guild, member);
  // The owner and administrators are above every rule (an overwrite granting every bit is not).
  if ((base & PERMISSIONS.ADMINISTRATOR) === PERMISSIONS.ADMINISTRATOR) return ALL_PERMISSIONS;
  let p = refOverwrites(base, guild, member, overwrites);
  if ((p & PERMISSIONS.VIEW_CHANNEL) === 0n) return 0n;
  if ((p & PERMISSIONS.SEND_MESSAGES) === 0n) p &= ~(PERMISSIONS.MENTION_EVERYONE | PERMISSIONS.ATTACH_FILES);
  if (timedOut(member)) p &= PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY;
  return p;
}

function refServerWide(guild: RefGuild, member: RefMember): bigint {
  const p = refBase(guild, member);
  if ((p & PERMISSIONS.ADMINISTRATOR) === PERMISSIONS.ADMINISTRATOR) return ALL_PERMISSIONS;
  return timedOut(member) ? p & (PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY) : p;
}

const timedOut = (m: RefMember) => m.communicationDisabledUntil !== null && Date.parse(m.communicationDisabledUntil) > NOW;

function refRank(guild: RefGuild, member: RefMember): number {
  if (member.userId === guild.ownerId) return Infinity;
  return Math.max(0, ...member.roles.map((id) => guild.roles.get(id)!.position));
}

// ---- Random worlds ----

const BITS = [...Object.values(PERMISSIONS), 1n << 50n]; // one bit Agorusta does not know rides along
const permissionSet = fc.subarray(BITS).map((bits) => bits.reduce((a, b) => a | b, 0n));
/** Mostly no ADMINISTRATOR, so overwrites get exercised. */
const roleSet = fc.tuple(permissionSet, fc.nat(9)).map(([p, n]) => (n === 0 ? p : p & ~PERMISSIONS.ADMINISTRATOR));
const ROLE_IDS = ["r1", "r2", "r3", "r4", "r5", "r6"];
const USERS = ["u1", "u2", OWNER];

const world = fc
  .record({
    everyone: roleSet,
    roles: fc.subarray(ROLE_IDS).chain((ids) => fc.tuple(fc.constant(ids), fc.array(roleSet, { minLength: ids.length, maxLength: ids.length }), fc.shuffledSubarray(ids.map((_, i) => i + 1), { minLength: ids.length, maxLength: ids.length }))),
    userId: fc.constantFrom(...USERS),
    // Ids of roles that exist, and of one since deleted ("gone"): a deleted role leaves its id behind.
    memberRoles: fc.subarray([...ROLE_IDS, "gone"]),
    timeout: fc.constantFrom(null, "2026-05-31T00:00:00.000Z", "2026-06-02T00:00:00.000Z"),
    overwrites: fc.uniqueArray(
      fc.record({ target: fc.constantFrom(SERVER, ...ROLE_IDS, "gone", "u1", "u2", OWNER), allow: permissionSet, deny: permissionSet }),
      { selector: (o) => o.target, maxLength: 8 },
    ),
  })
  .map((w) => {
    const [ids, sets, positions] = w.roles;
    const roles: RoleGrant[] = [{ id: SERVER, position: 0, permissions: w.everyone }, ...ids.map((id, i) => ({ id, position: positions[i]!, permissions: sets[i]! }))];
    const server: ServerGrants = { serverId: SERVER, ownerId: OWNER, roles: new Map(roles.map((r) => [r.id, r])) };
    const member: MemberGrants = { userId: w.userId, roleIds: w.memberRoles, timeoutUntil: w.timeout };
    const overwrites: OverwriteBits[] = w.overwrites.map((o) => ({
      id: o.target,
      type: ROLE_IDS.includes(o.target) || o.target === SERVER || o.target === "gone" ? "role" : "member",
      allow: o.allow,
      deny: o.deny,
    }));
    // Discord's view of the same world: a member's roles are those that exist (a deleted role leaves every member).
    const guild: RefGuild = { id: SERVER, ownerId: OWNER, roles: new Map(roles.map((r) => [r.id, { position: r.position, permissions: r.permissions }])) };
    const refMember: RefMember = { userId: w.userId, roles: w.memberRoles.filter((id) => guild.roles.has(id)), communicationDisabledUntil: w.timeout };
    const refOverwriteMap = new Map(overwrites.map((o) => [o.id, { allow: o.allow, deny: o.deny }]));
    return { server, member, overwrites, guild, refMember, refOverwriteMap };
  });

describe("the permission computation matches Discord's documented algorithm", () => {
  it("in a channel: base, ADMINISTRATOR and the owner, overwrites in order, implicit denies, timeouts", () => {
    fc.assert(
      fc.property(world, (w) => {
        expect(channelPermissions(w.server, w.member, w.overwrites, NOW)).toBe(refChannel(w.guild, w.refMember, w.refOverwriteMap));
      }),
      { numRuns: 3000 },
    );
  });

  it("server-wide (ServerDetail.permissions): the base, cut by a timeout", () => {
    fc.assert(
      fc.property(world, (w) => {
        expect(basePermissions(w.server, w.member, NOW)).toBe(refServerWide(w.guild, w.refMember));
      }),
      { numRuns: 2000 },
    );
  });

  it("rank: the highest position among the member's roles, the owner above all", () => {
    fc.assert(
      fc.property(world, (w) => {
        expect(rankOf(w.server, w.member)).toBe(refRank(w.guild, w.refMember));
      }),
      { numRuns: 1000 },
    );
  });
});

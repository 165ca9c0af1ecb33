/**
 * The policy (issue 23 replaces issue 20's owner/member seam): `can` asks a computed permission
 * set, or a view's wire set, for one of Discord's permissions; `mayGrant` is "grant only what you
 * hold"; `outranks`/`ranksAbove` are the hierarchy; and the access checks turn them into the
 * contract's errors (403 for a member without the permission or acting at or above their rank,
 * nobody acting on the owner).
 */
import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, DEFAULT_EVERYONE, PERMISSIONS, toWire } from "../src/permissions/bits.ts";
import { can, grantsOfDetail, mayDeleteServer, mayGrant, mayLeave, outranks, outranksIn, ranksAbove } from "../src/permissions/policy.ts";
import { requireAbove, requireCan, requireOwner, requireRoleBelow, type Standing } from "../src/servers/access.ts";
import type { MemberGrants, ServerGrants } from "../src/permissions/compute.ts";

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "allowed";
  } catch (e) {
    return (e as { code: string }).code;
  }
};

const server: ServerGrants = {
  serverId: "S",
  ownerId: "owner",
  roles: new Map([
    ["S", { id: "S", position: 0, permissions: DEFAULT_EVERYONE }],
    ["mod", { id: "mod", position: 2, permissions: PERMISSIONS.KICK_MEMBERS }],
    ["helper", { id: "helper", position: 1, permissions: 0n }],
  ]),
};
const owner: MemberGrants = { userId: "owner", roleIds: [] };
const mod: MemberGrants = { userId: "m", roleIds: ["mod"] };
const peer: MemberGrants = { userId: "p", roleIds: ["mod", "helper"] };
const helper: MemberGrants = { userId: "h", roleIds: ["helper"] };
const plain: MemberGrants = { userId: "x", roleIds: [] };

describe("can", () => {
  it("asks bits, a view's wire set, and nothing of nobody", () => {
    expect(can(PERMISSIONS.KICK_MEMBERS | PERMISSIONS.BAN_MEMBERS, "BAN_MEMBERS")).toBe(true);
    expect(can(PERMISSIONS.KICK_MEMBERS, "BAN_MEMBERS")).toBe(false);
    expect(can({ permissions: toWire(PERMISSIONS.MODERATE_MEMBERS) }, "MODERATE_MEMBERS")).toBe(true);
    expect(can({ permissions: toWire(DEFAULT_EVERYONE) }, "CREATE_INSTANT_INVITE")).toBe(true);
    expect(can({}, "CREATE_INSTANT_INVITE")).toBe(false);
    expect(can(null, "VIEW_CHANNEL")).toBe(false);
  });

  it("lets a member leave but not the owner; only the owner deletes the server", () => {
    expect([mayLeave({ role: "member" }), mayLeave({ role: "owner" }), mayLeave(null)]).toEqual([true, false, false]);
    expect([mayDeleteServer({ role: "owner" }), mayDeleteServer({ role: "member" })]).toEqual([true, false]);
  });
});

describe("grant only what you hold", () => {
  it("counts only the bits added", () => {
    expect(mayGrant(PERMISSIONS.KICK_MEMBERS, PERMISSIONS.KICK_MEMBERS)).toBe(true);
    expect(mayGrant(PERMISSIONS.KICK_MEMBERS, PERMISSIONS.BAN_MEMBERS)).toBe(false);
    // The role already had BAN_MEMBERS: keeping it is not granting it.
    expect(mayGrant(PERMISSIONS.KICK_MEMBERS, PERMISSIONS.BAN_MEMBERS | PERMISSIONS.KICK_MEMBERS, PERMISSIONS.BAN_MEMBERS)).toBe(true);
    expect(mayGrant(ALL_PERMISSIONS, PERMISSIONS.ADMINISTRATOR)).toBe(true);
  });
});

describe("hierarchy", () => {
  it("acts only on members ranked below, never on the owner, and the owner on everyone else", () => {
    expect(outranks(server, mod, helper)).toBe(true);
    expect(outranks(server, mod, plain)).toBe(true);
    expect(outranks(server, mod, peer)).toBe(false);
    expect(outranks(server, helper, mod)).toBe(false);
    expect(outranks(server, mod, owner)).toBe(false);
    expect(outranks(server, owner, peer)).toBe(true);
    expect(outranks(server, owner, owner)).toBe(false);
  });

  it("manages only roles below one's highest", () => {
    expect([ranksAbove(server, mod, 1), ranksAbove(server, mod, 2), ranksAbove(server, plain, 0), ranksAbove(server, owner, 99)]).toEqual([true, false, false, true]);
  });

  it("asks the same of a ServerDetail as the web app has it", () => {
    const detail = {
      id: "S",
      ownerId: "owner",
      roles: [...server.roles.values()].map((r) => ({ id: r.id, position: r.position, permissions: toWire(r.permissions) })),
    };
    expect(grantsOfDetail(detail).roles.get("mod")?.permissions).toBe(PERMISSIONS.KICK_MEMBERS);
    expect(outranksIn(detail, { id: "m", roles: ["mod"] }, { id: "h", roles: ["helper"] })).toBe(true);
    expect(outranksIn(detail, { id: "h", roles: ["helper"] }, { id: "m", roles: ["mod"] })).toBe(false);
  });
});

describe("access checks", () => {
  const standing = (self: MemberGrants, permissions: bigint) => ({ member: { userId: self.userId }, server, self, permissions, rolesItem: null }) as unknown as Standing;
  const target = (m: MemberGrants) => ({ userId: m.userId, roleIds: [...m.roleIds] });

  it("answers 403 to a member without the permission, at or above their rank, or acting on the owner", () => {
    expect(codeOf(() => requireCan(standing(mod, PERMISSIONS.KICK_MEMBERS), "KICK_MEMBERS"))).toBe("allowed");
    expect(codeOf(() => requireCan(standing(mod, PERMISSIONS.KICK_MEMBERS), "BAN_MEMBERS"))).toBe("forbidden");
    expect(codeOf(() => requireAbove(standing(mod, 0n), target(helper)))).toBe("allowed");
    expect(codeOf(() => requireAbove(standing(mod, 0n), target(peer)))).toBe("forbidden");
    expect(codeOf(() => requireAbove(standing(owner, ALL_PERMISSIONS), target(owner)))).toBe("forbidden");
    expect(codeOf(() => requireRoleBelow(standing(mod, 0n), 2))).toBe("forbidden");
    expect(codeOf(() => requireOwner(standing(mod, ALL_PERMISSIONS)))).toBe("forbidden");
    expect(codeOf(() => requireOwner(standing(owner, ALL_PERMISSIONS)))).toBe("allowed");
  });
});

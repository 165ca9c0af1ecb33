/**
 * The permissions seam (issue 20, item 3): every owner/member question in core goes through the
 * policy's `can`, and `requirePermission` turns its answer into the contract's errors (404 for a
 * non-member, 403 for a member without the power or acting on someone not below them).
 */
import { describe, expect, it } from "vitest";
import { can, type Action } from "../src/permissions/policy.ts";
import { requirePermission } from "../src/servers/access.ts";
import type { MemberItem } from "../src/model/index.ts";

const owner = { role: "owner" } as const;
const member = { role: "member" } as const;
const moderating: Action[] = ["manage_server", "delete_server", "manage_channels", "manage_invites", "kick_members", "ban_members", "manage_messages", "mention_everyone"];

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "allowed";
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe("can", () => {
  it("gives the owner every moderating power and a member none; both may create invites", () => {
    for (const action of moderating) {
      expect(can(owner, action), action).toBe(true);
      expect(can(member, action), action).toBe(false);
    }
    expect([can(owner, "create_invites"), can(member, "create_invites")]).toEqual([true, true]);
  });

  it("lets a member leave but not the owner, and a non-member do nothing", () => {
    expect([can(member, "leave_server"), can(owner, "leave_server")]).toEqual([true, false]);
    expect(can(null, "create_invites")).toBe(false);
    expect(can(undefined, "leave_server")).toBe(false);
  });

  it("lets nobody act on someone at or above their own rank", () => {
    expect(can(owner, "kick_members", member)).toBe(true);
    expect(can(owner, "kick_members", owner)).toBe(false);
    expect(can(owner, "ban_members", owner)).toBe(false);
    expect(can(member, "kick_members", member)).toBe(false);
  });
});

describe("requirePermission", () => {
  const as = (role: "owner" | "member") => ({ role }) as MemberItem;

  it("answers 404 to a non-member and 403 to a member without the power", () => {
    expect(codeOf(() => requirePermission(null, "ban_members"))).toBe("not_found");
    expect(codeOf(() => requirePermission(as("member"), "ban_members"))).toBe("forbidden");
    expect(codeOf(() => requirePermission(as("owner"), "ban_members"))).toBe("allowed");
  });

  it("answers 403 when the target is not ranked below the actor, and allows it when they are", () => {
    expect(codeOf(() => requirePermission(as("owner"), "kick_members", owner))).toBe("forbidden");
    expect(codeOf(() => requirePermission(as("owner"), "kick_members", member))).toBe("allowed");
    // A target that is no member (a ban of a stranger) has no rank to compare.
    expect(codeOf(() => requirePermission(as("owner"), "ban_members", null))).toBe("allowed");
  });
});

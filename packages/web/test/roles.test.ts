import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, PERMISSIONS, TIMED_OUT_MAX, DEFAULT_EVERYONE, toWire } from "@agorusta/core/permissions";
import type { Channel, Member, ServerDetail, ServerRole } from "@agorusta/core/views";
import { channelTree, moveChannel, orderedTextChannels } from "../src/lib/roles/channelTree.ts";
import { colorOf, holds, holdsIn, hoistOf, looksTimedOut, mayActOn, mayManageRole, myRank } from "../src/lib/roles/grants.ts";
import { hoistedGroups } from "../src/lib/roles/memberGroups.ts";
import { CHANNEL_PERMISSION_GROUPS, PERMISSION_GROUPS } from "../src/lib/roles/permissionText.ts";
import { moveRole } from "../src/lib/roles/roleOrder.ts";
import { countdown } from "../src/lib/roles/countdown.ts";

const at = "2026-12-01T10:00:00.000Z";
const channel = (id: string, over: Partial<Channel> = {}): Channel => ({
  id, serverId: "s", name: id, createdAt: at, lastMessageId: null, type: "text", parentId: null, position: 0, topic: null, slowmodeSeconds: 0, overwrites: [], ...over,
});
const role = (id: string, position: number, over: Partial<ServerRole> = {}): ServerRole => ({
  id, serverId: "s", name: id, color: null, position, permissions: "0", hoist: false, mentionable: false, createdAt: at, ...over,
});
const member = (id: string, roles: string[] = [], over: Partial<Member> = {}): Member => ({
  user: { id, username: id, createdAt: at, avatarUrl: null }, role: "member", joinedAt: at, online: true, roles, timeoutUntil: null, ...over,
});
const server = (over: Partial<ServerDetail> = {}): ServerDetail => ({
  id: "s", name: "S", ownerId: "owner", createdAt: at, iconUrl: null, channels: [], role: "member",
  roles: [role("s", 0, { permissions: toWire(DEFAULT_EVERYONE) }), role("mod", 2, { color: 0x3498db, hoist: true }), role("helper", 1, { color: 0xe91e63 })],
  permissions: toWire(DEFAULT_EVERYONE),
  ...over,
});

describe("channelTree", () => {
  const channels = [
    channel("staff", { type: "category", position: 1 }),
    channel("text", { type: "category", position: 0 }),
    channel("general", { position: 0 }),
    channel("mods", { parentId: "staff", position: 0 }),
    channel("rules", { parentId: "text", position: 1 }),
    channel("chat", { parentId: "text", position: 0 }),
    channel("orphan", { parentId: "gone", position: 1 }),
  ];

  it("lists channels in no category first, then each category by position with its channels by position", () => {
    const tree = channelTree(channels);
    expect(tree.loose.map((c) => c.id)).toEqual(["general", "orphan"]);
    expect(tree.categories.map((n) => [n.category.id, n.channels.map((c) => c.id)])).toEqual([
      ["text", ["chat", "rules"]],
      ["staff", ["mods"]],
    ]);
    expect(orderedTextChannels(channels).map((c) => c.id)).toEqual(["general", "orphan", "chat", "rules", "mods"]);
  });

  it("moves a channel before another in the same category: only the places that change are sent", () => {
    expect(moveChannel(channels, "rules", { kind: "before", id: "chat" })).toEqual([
      { id: "rules", position: 0 },
      { id: "chat", position: 1 },
    ]);
  });

  it("moves a channel into another category, and closes the gap it leaves", () => {
    expect(moveChannel(channels, "chat", { kind: "after", id: "mods" })).toEqual([
      { id: "chat", position: 1, parentId: "staff" },
      { id: "rules", position: 0 },
    ]);
    expect(moveChannel(channels, "general", { kind: "into", categoryId: "staff" })).toEqual([
      { id: "general", position: 0, parentId: "staff" },
      { id: "mods", position: 1 },
      { id: "orphan", position: 0 },
    ]);
  });

  it("moves a channel out of its category to the top level", () => {
    expect(moveChannel(channels, "mods", { kind: "before", id: "general" })).toEqual([
      { id: "mods", position: 0, parentId: null },
      { id: "general", position: 1 },
      { id: "orphan", position: 2 },
    ]);
  });

  it("moves categories among categories, and refuses what means nothing", () => {
    expect(moveChannel(channels, "staff", { kind: "before", id: "text" })).toEqual([
      { id: "staff", position: 0 },
      { id: "text", position: 1 },
    ]);
    expect(moveChannel(channels, "staff", { kind: "into", categoryId: "text" })).toBeNull();
    expect(moveChannel(channels, "chat", { kind: "before", id: "chat" })).toBeNull();
    expect(moveChannel(channels, "chat", { kind: "before", id: "rules" })).toEqual([]);
  });
});

describe("moveRole", () => {
  const roles = [role("s", 0), role("a", 1), role("b", 2), role("c", 3)];

  it("keeps positions 0..n-1 without gaps, @everyone at 0", () => {
    expect(moveRole(roles, "a", 3, Infinity)).toEqual([
      { id: "b", position: 1 },
      { id: "c", position: 2 },
      { id: "a", position: 3 },
    ]);
    expect(moveRole(roles, "c", 0, Infinity)).toEqual([
      { id: "c", position: 1 },
      { id: "a", position: 2 },
      { id: "b", position: 3 },
    ]);
  });

  it("never moves @everyone, nor a role to or from the caller's rank or above", () => {
    expect(moveRole(roles, "s", 2, Infinity)).toBeNull();
    expect(moveRole(roles, "a", 3, 3)).toBeNull();
    expect(moveRole(roles, "c", 1, 3)).toBeNull();
    expect(moveRole(roles, "a", 2, 3)).toEqual([
      { id: "b", position: 1 },
      { id: "a", position: 2 },
    ]);
    expect(moveRole(roles, "b", 2, Infinity)).toBeNull();
  });
});

describe("grants", () => {
  it("reads the caller's computed sets, server-wide and per channel", () => {
    const detail = server({ permissions: toWire(DEFAULT_EVERYONE | PERMISSIONS.KICK_MEMBERS) });
    expect(holds(detail, "KICK_MEMBERS")).toBe(true);
    expect(holds(detail, "BAN_MEMBERS")).toBe(false);
    const readOnly = channel("news", { permissions: toWire(PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY) });
    expect(holdsIn(detail, readOnly, "SEND_MESSAGES")).toBe(false);
    expect(holdsIn(detail, channel("chat"), "SEND_MESSAGES")).toBe(true);
  });

  it("takes a channel from an event (no permissions of its own) by the base set until the details come again", () => {
    const detail = server({ permissions: toWire(PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.MANAGE_ROLES) });
    expect(holdsIn(detail, channel("new", { permissions: undefined }), "MANAGE_ROLES")).toBe(true);
    expect(holdsIn(detail, channel("new", { permissions: "0" }), "MANAGE_ROLES")).toBe(false);
    expect(holds(null, "VIEW_CHANNEL")).toBe(false);
  });

  it("follows the hierarchy: roles and members below one's rank only, never the owner", () => {
    const detail = server({ permissions: toWire(ALL_PERMISSIONS) });
    const mod = member("m", ["mod"]);
    const rank = myRank(detail, mod, "m");
    expect(rank).toBe(2);
    expect(mayManageRole(detail, rank, role("helper", 1))).toBe(true);
    expect(mayManageRole(detail, rank, role("mod", 2))).toBe(false);
    expect(mayActOn(detail, rank, member("x", ["helper"]), "KICK_MEMBERS")).toBe(true);
    expect(mayActOn(detail, rank, member("peer", ["mod"]), "KICK_MEMBERS")).toBe(false);
    expect(mayActOn(detail, rank, member("owner"), "KICK_MEMBERS")).toBe(false);
    expect(myRank(detail, null, "owner")).toBe(Infinity);
    expect(mayActOn(server({ permissions: toWire(DEFAULT_EVERYONE) }), rank, member("x"), "KICK_MEMBERS")).toBe(false);
  });

  it("colours a name by the highest coloured role, and groups by the highest hoisted one", () => {
    const detail = server();
    expect(colorOf(detail, member("a", ["helper", "mod"]))).toBe("#3498db");
    expect(colorOf(detail, member("b", ["helper"]))).toBe("#e91e63");
    expect(colorOf(detail, member("c"))).toBeNull();
    expect(hoistOf(detail, member("a", ["helper", "mod"]))?.id).toBe("mod");
    const { groups, rest } = hoistedGroups(detail, [member("a", ["mod"]), member("b", ["helper"]), member("c")]);
    expect(groups.map((g) => [g.role.id, g.members.map((m) => m.user.id)])).toEqual([["mod", ["a"]]]);
    expect(rest.map((m) => m.user.id)).toEqual(["b", "c"]);
  });

  it("tells a timeout from a read-only server by what @everyone grants", () => {
    expect(looksTimedOut(server({ permissions: toWire(DEFAULT_EVERYONE & TIMED_OUT_MAX) }))).toBe(true);
    expect(looksTimedOut(server())).toBe(false);
    expect(looksTimedOut(server({ permissions: undefined }))).toBe(false);
  });
});

describe("permission texts", () => {
  it("name every permission once, with a sentence; a channel's list only what an overwrite may carry", () => {
    const names = PERMISSION_GROUPS.flatMap((g) => g.items.map((p) => p.name)).sort();
    expect(names).toEqual(Object.keys(PERMISSIONS).sort());
    for (const g of PERMISSION_GROUPS) for (const p of g.items) expect(p.sentence.length).toBeGreaterThan(20);
    const channelNames = CHANNEL_PERMISSION_GROUPS.flatMap((g) => g.items.map((p) => p.name));
    expect(channelNames).not.toContain("ADMINISTRATOR");
    expect(channelNames).not.toContain("KICK_MEMBERS");
    expect(channelNames).toContain("VIEW_CHANNEL");
  });
});

describe("countdown", () => {
  it("reads as a person reads a timer", () => {
    expect(countdown(45)).toBe("45s");
    expect(countdown(90)).toBe("1:30");
    expect(countdown(3600)).toBe("1:00:00");
    expect(countdown(21600)).toBe("6:00:00");
  });
});

describe("audit entries in words", () => {
  it("says what happened, timeouts by name, and changes as old → new with permissions by name", async () => {
    const { changeLines, verbOf } = await import("../src/routes/(app)/servers/[serverId]/settings/audit-log/auditText.ts");
    expect(verbOf("role_create")).toBe("created the role");
    expect(verbOf("member_update", { timeoutUntil: { new: "2026-12-06T23:47:44.200Z" } })).toBe("timed out");
    expect(verbOf("member_update", { timeoutUntil: { old: "2026-12-06T23:47:44.200Z" } })).toBe("ended the timeout of");
    expect(verbOf("something_new")).toBe("something new");
    const lines = changeLines({ changes: { name: { old: "mods", new: "Moderators" }, permissions: { new: toWire(PERMISSIONS.KICK_MEMBERS | PERMISSIONS.BAN_MEMBERS) }, color: { old: 0x3498db } } });
    expect(lines).toEqual(["name: mods → Moderators", "permissions: kick members, ban members", "color: #3498db (removed)"]);
  });
});

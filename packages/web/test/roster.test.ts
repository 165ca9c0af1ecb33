import { describe, expect, it } from "vitest";
import type { Member } from "@agorusta/core/views";
import { placeMember, withoutMember, withPresence } from "../src/lib/roster.ts";

const member = (username: string, role: Member["role"] = "member", online = false): Member => ({
  user: { id: `id-${username}`, username, createdAt: "2026-11-24T10:00:00.000Z", avatarUrl: null, bot: false },
  role,
  joinedAt: "2026-11-24T10:00:00.000Z",
  online,
  roles: [],
  timeoutUntil: null,
});
const names = (list: Member[]) => list.map((m) => m.user.username);

describe("placeMember", () => {
  const list = [member("Zed", "owner"), member("alice"), member("Carol")];

  it("puts a newcomer in the API's order: owner first, then by username, case aside", () => {
    expect(names(placeMember(list, member("bob"), true))).toEqual(["Zed", "alice", "bob", "Carol"]);
    expect(names(placeMember(list, member("Aaron"), true))).toEqual(["Zed", "Aaron", "alice", "Carol"]);
    expect(names(placeMember(list, member("dave"), true))).toEqual(["Zed", "alice", "Carol", "dave"]);
  });

  it("leaves one who sorts after the loaded pages to the pages still to come", () => {
    expect(names(placeMember(list, member("dave"), false))).toEqual(["Zed", "alice", "Carol"]);
    expect(names(placeMember(list, member("bob"), false))).toEqual(["Zed", "alice", "bob", "Carol"]);
  });

  it("never lists anyone twice", () => {
    expect(names(placeMember(list, member("alice", "member", true), true))).toEqual(["Zed", "alice", "Carol"]);
  });
});

describe("withoutMember and withPresence", () => {
  const list = [member("Zed", "owner"), member("alice")];

  it("removes one member, and changes one member's dot", () => {
    expect(names(withoutMember(list, "id-alice"))).toEqual(["Zed"]);
    expect(withPresence(list, "id-alice", true).map((m) => m.online)).toEqual([false, true]);
  });

  it("returns the same list when nothing changes", () => {
    expect(withPresence(list, "id-alice", false)).toBe(list);
    expect(withPresence(list, "id-nobody", true)).toBe(list);
  });
});

/** The pure rules behind reactions and uploads in the web app. */
import { describe, expect, it } from "vitest";
import { joinAnd, reactorsLine, rgiEmoji, withReaction } from "../src/lib/reactions.ts";
import { attachmentRefusal, fitBox, formatSize } from "../src/lib/files.ts";

describe("withReaction", () => {
  const shown = [
    { emoji: "👍", count: 2, me: false },
    { emoji: "🎉", count: 1, me: true },
  ];

  it("adds a new emoji at the end, in first-use order", () => {
    expect(withReaction(shown, "🔥", true, 1, true)).toEqual([...shown, { emoji: "🔥", count: 1, me: true }]);
  });

  it("takes the count it is told, and changes `me` only for one's own change", () => {
    expect(withReaction(shown, "👍", true, 3, false)).toEqual([{ emoji: "👍", count: 3, me: false }, shown[1]]);
    expect(withReaction(shown, "👍", true, 3, true)).toEqual([{ emoji: "👍", count: 3, me: true }, shown[1]]);
    // Someone else takes theirs back: mine stays.
    expect(withReaction(shown, "🎉", false, 1, false)).toEqual(shown);
  });

  it("drops an emoji nobody reacts with any more", () => {
    expect(withReaction(shown, "🎉", false, 0, true)).toEqual([shown[0]]);
  });

  it("never shows one's own reaction with a count of 0", () => {
    expect(withReaction([], "👍", true, 0, true)).toEqual([{ emoji: "👍", count: 1, me: true }]);
  });
});

describe("reactorsLine", () => {
  const user = (id: string) => ({ id, username: id, createdAt: "2026-12-01T09:00:00.000Z", avatarUrl: null, bot: false });
  it("puts the reader first as You, then names, then how many more", () => {
    expect(reactorsLine([user("ann"), user("me")], 2, "me", "👍")).toBe("You and ann reacted with 👍");
    expect(reactorsLine([user("ann")], 1, "me", "🎉")).toBe("ann reacted with 🎉");
    const many = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"].map(user);
    expect(reactorsLine(many, 30, "me", "🔥")).toBe("a1, a2, a3, a4, a5, a6 and 24 others reacted with 🔥");
    expect(reactorsLine(many.slice(0, 6), 7, "me", "🔥")).toBe("a1, a2, a3, a4, a5, a6 and 1 other reacted with 🔥");
    expect(reactorsLine([], 0, "me", "🔥")).toBe("Nobody reacted with 🔥 any more");
  });
});

describe("rgiEmoji", () => {
  it.each([
    ["👍\uFE0F", "👍"],
    ["👍", "👍"],
    ["❤️", "❤️"],
    ["👍🏽", "👍🏽"],
    ["🏳️‍🌈", "🏳️‍🌈"],
    ["🇫🇷", "🇫🇷"],
    ["1️⃣", "1️⃣"],
    ["a", "a"],
  ])("%s → %s", (picked, sent) => {
    expect(rgiEmoji(picked)).toBe(sent);
  });
});

describe("names and sizes", () => {
  it("joins names as a sentence", () => {
    expect(joinAnd([])).toBe("");
    expect(joinAnd(["You"])).toBe("You");
    expect(joinAnd(["You", "bob"])).toBe("You and bob");
    expect(joinAnd(["You", "bob", "eve"])).toBe("You, bob and eve");
  });

  it("writes sizes as people read them", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(600 * 1024)).toBe("600 KB");
    expect(formatSize(1536 * 1024)).toBe("1.5 MB");
    expect(formatSize(26_214_400)).toBe("25 MB");
    expect(formatSize(30 * 1024 * 1024)).toBe("30 MB");
  });

  it("fits an image's box within the maximum, keeping its shape, never enlarging it", () => {
    const max = { width: 400, height: 300 };
    expect(fitBox(640, 480, max)).toEqual({ width: 400, height: 300 });
    expect(fitBox(1000, 200, max)).toEqual({ width: 400, height: 80 });
    expect(fitBox(200, 1000, max)).toEqual({ width: 60, height: 300 });
    expect(fitBox(120, 90, max)).toEqual({ width: 120, height: 90 });
    expect(fitBox(0, 0, max)).toEqual({ width: 320, height: 240 });
  });
});

describe("attachmentRefusal", () => {
  it("refuses what the API would, before sending: over 25 MiB, empty, an 11th file", () => {
    expect(attachmentRefusal("a.bin", 26_214_400, 0)).toBeNull();
    expect(attachmentRefusal("a.bin", 26_214_401, 0)).toBe("a.bin is just over 25 MB: files can be at most 25 MB.");
    expect(attachmentRefusal("scan.tif", 30 * 1024 * 1024, 0)).toBe("scan.tif is 30 MB: files can be at most 25 MB.");
    expect(attachmentRefusal("a.txt", 0, 0)).toBe("a.txt is empty.");
    expect(attachmentRefusal("a.txt", 1, 9)).toBeNull();
    expect(attachmentRefusal("a.txt", 1, 10)).toBe("a.txt: a message can carry at most 10 files.");
  });

  it("refuses a name the API would (issue 21): a right-to-left override or another hidden character, without repeating it", () => {
    for (const name of ["invoice\u202Egpj.exe", "report\u200F.pdf", "ad\u200Bmin.txt", "x\uDFFF.txt", `x${"\u0301".repeat(11)}.txt`]) {
      const refusal = attachmentRefusal(name, 10, 0);
      expect(refusal, JSON.stringify(name)).toMatch(/^A file cannot be attached under its name: a file name .* Rename it and try again\.$/);
      expect(refusal).not.toContain(name);
    }
    expect(attachmentRefusal("invoice\u202Egpj.exe", 10, 0)).toContain("direction-changing");
    for (const name of ["שלום.txt", "👩‍💻 notes.md", "résumé (final).pdf"]) expect(attachmentRefusal(name, 10, 0), name).toBeNull();
  });
});

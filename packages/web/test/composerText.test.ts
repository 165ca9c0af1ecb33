/**
 * The composer's text, without a browser: drafts kept per person and conversation (and bounded),
 * what `@` and `#` suggest and write, and how a written channel link `<#id>` is drawn.
 */
import { describe, expect, it } from "vitest";
import { applyPick, suggest, triggerAt, MAX_SUGGESTIONS, type Suggestions } from "../src/lib/autocomplete.ts";
import { Drafts, MAX_CHARS, MAX_DRAFTS } from "../src/lib/drafts.ts";
import { parseExcerpt, parseMessage, UNKNOWN_CHANNEL, type BlockNode, type MentionContext } from "../src/lib/markdown.ts";

/** A Storage in memory, as localStorage behaves (insertion-ordered keys). */
class MemoryStorage implements Storage {
  #map = new Map<string, string>();
  get length() {
    return this.#map.size;
  }
  clear() {
    this.#map.clear();
  }
  getItem(key: string) {
    return this.#map.get(key) ?? null;
  }
  key(i: number) {
    return [...this.#map.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.#map.delete(key);
  }
  setItem(key: string, value: string) {
    this.#map.set(key, String(value));
  }
}

const ULID = (n: number) => `01J${String(n).padStart(23, "0")}`;

describe("drafts", () => {
  const setup = () => {
    const storage = new MemoryStorage();
    let clock = 1000;
    const drafts = new Drafts(() => storage, () => clock++);
    return { storage, drafts };
  };

  it("keeps a draft per person and conversation, and forgets it once emptied", () => {
    const { drafts } = setup();
    drafts.save("ann", "c1", "half a thought");
    drafts.save("ann", "c2", "another");
    expect(drafts.load("ann", "c1")).toBe("half a thought");
    expect(drafts.load("ann", "c2")).toBe("another");
    // Another account on the same browser sees none of them.
    expect(drafts.load("bob", "c1")).toBe("");
    drafts.save("ann", "c1", "   ");
    expect(drafts.load("ann", "c1")).toBe("");
    drafts.clear("ann", "c2");
    expect(drafts.load("ann", "c2")).toBe("");
  });

  it(`keeps at most ${MAX_DRAFTS} drafts, letting the least recently typed go`, () => {
    const { drafts, storage } = setup();
    for (let i = 0; i < MAX_DRAFTS; i++) drafts.save("ann", `c${i}`, `draft ${i}`);
    // Typing again in the first keeps it recent.
    drafts.save("ann", "c0", "draft 0, longer");
    drafts.save("ann", "new", "the newest");
    expect(storage.length).toBe(MAX_DRAFTS);
    expect(drafts.load("ann", "c0")).toBe("draft 0, longer");
    expect(drafts.load("ann", "c1")).toBe("");
    expect(drafts.load("ann", "new")).toBe("the newest");
  });

  it("caps a draft's length and leaves other keys of the storage alone", () => {
    const { drafts, storage } = setup();
    storage.setItem("agorusta.token", "t");
    drafts.save("ann", "c", "x".repeat(MAX_CHARS + 50));
    expect(drafts.load("ann", "c")).toHaveLength(MAX_CHARS);
    expect(storage.getItem("agorusta.token")).toBe("t");
  });

  it("works without storage (full, refused or absent), and ignores what it cannot read", () => {
    const refusing = new MemoryStorage();
    refusing.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    const drafts = new Drafts(() => refusing);
    expect(() => drafts.save("ann", "c", "text")).not.toThrow();
    expect(new Drafts(() => undefined).load("ann", "c")).toBe("");
    const broken = new MemoryStorage();
    broken.setItem("agorusta.draft.ann.c", "{not json");
    expect(new Drafts(() => broken).load("ann", "c")).toBe("");
  });
});

describe("what is being typed at the caret", () => {
  it("finds @name and #channel at the start, after a space or a bracket", () => {
    expect(triggerAt("@bo", 3)).toEqual({ kind: "person", query: "bo", start: 0, end: 3 });
    expect(triggerAt("hi @", 4)).toEqual({ kind: "person", query: "", start: 3, end: 4 });
    expect(triggerAt("see (#gen", 9)).toEqual({ kind: "channel", query: "gen", start: 5, end: 9 });
    expect(triggerAt("hi @bob and", 7)).toEqual({ kind: "person", query: "bob", start: 3, end: 7 });
  });

  it("finds nothing in an address, after a space, or past a username's characters", () => {
    expect(triggerAt("mail a@b.c", 10)).toBeNull();
    expect(triggerAt("@bob ", 5)).toBeNull();
    expect(triggerAt("@bo!", 4)).toBeNull();
    expect(triggerAt("issue#12", 8)).toBeNull();
  });
});

describe("suggestions", () => {
  const people = ["bob", "Bobby", "alice", "rebob", "carol"].map((username, i) => ({ id: `u${i}`, username, avatarUrl: null }));
  const from = (everyone: boolean): Suggestions => ({
    people: () => [...people, people[0]!],
    everyone: () => everyone,
    channels: () => [
      { id: "c1", name: "general" },
      { id: "c2", name: "off-topic general chat" },
      { id: "c3", name: "random" },
    ],
  });
  const names = (list: ReturnType<typeof suggest>) =>
    list.map((s) => (s.kind === "person" ? s.user.username : s.kind === "channel" ? `#${s.name}` : "@everyone"));

  it("offers people whose name starts with what is typed first, then those containing it, once each", () => {
    expect(names(suggest({ kind: "person", query: "bob", start: 0, end: 4 }, from(false)))).toEqual(["bob", "Bobby", "rebob"]);
  });

  it("offers @everyone only where the author may use it", () => {
    expect(names(suggest({ kind: "person", query: "ev", start: 0, end: 3 }, from(true)))).toEqual(["@everyone"]);
    expect(names(suggest({ kind: "person", query: "ev", start: 0, end: 3 }, from(false)))).toEqual([]);
    expect(names(suggest({ kind: "person", query: "", start: 0, end: 1 }, from(true)))).toContain("@everyone");
  });

  it("offers channels by name, and at most a screenful of anything", () => {
    expect(names(suggest({ kind: "channel", query: "gen", start: 0, end: 4 }, from(false)))).toEqual(["#general", "#off-topic general chat"]);
    const many: Suggestions = { ...from(false), people: () => Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, username: `m${i}`, avatarUrl: null })) };
    expect(suggest({ kind: "person", query: "m", start: 0, end: 2 }, many)).toHaveLength(MAX_SUGGESTIONS);
  });

  it("a pick replaces what was typed, with a space after it; a channel is written by id", () => {
    const text = "hi @bo how are you";
    const trigger = triggerAt(text, 6)!;
    expect(applyPick(text, trigger, { kind: "person", user: people[1]! })).toEqual({ text: "hi @Bobby how are you", caret: 10 });
    const channel = triggerAt("see #gen", 8)!;
    expect(applyPick("see #gen", channel, { kind: "channel", id: ULID(1), name: "general" })).toEqual({
      text: `see <#${ULID(1)}> `,
      caret: 4 + ULID(1).length + 4,
    });
  });
});

describe("channel links in messages", () => {
  const context: MentionContext = {
    isMember: () => false,
    me: null,
    everyone: false,
    channel: (id) => (id === ULID(1) ? { name: "general chat", serverId: "S1" } : null),
  };
  const inline = (content: string) => (parseMessage(content, context)[0] as Extract<BlockNode, { type: "paragraph" }>).children;

  it("draws <#id> of a channel the reader can see as a link to it", () => {
    expect(inline(`read <#${ULID(1)}> first`)).toEqual([
      { type: "text", text: "read " },
      { type: "channel", id: ULID(1), serverId: "S1", name: "general chat" },
      { type: "text", text: " first" },
    ]);
    expect(parseExcerpt(`in <#${ULID(1)}>`, context)).toContainEqual({ type: "channel", id: ULID(1), serverId: "S1", name: "general chat" });
  });

  it("draws a channel the reader cannot see as plain text that names nothing", () => {
    expect(inline(`secret <#${ULID(2)}>`)).toEqual([{ type: "text", text: `secret ${UNKNOWN_CHANNEL}` }]);
    // Without any channel lookup (outside a conversation), the same.
    expect(parseMessage(`<#${ULID(1)}>`)).toEqual([{ type: "paragraph", children: [{ type: "text", text: UNKNOWN_CHANNEL }] }]);
  });

  it("leaves what is not an id as typed, and links in code as code", () => {
    expect(inline("<#general> <#01j>")).toEqual([{ type: "text", text: "<#general> <#01j>" }]);
    expect(inline(`\`<#${ULID(1)}>\``)).toEqual([{ type: "code", text: `<#${ULID(1)}>` }]);
  });
});

describe("role mentions in the composer and in messages", () => {
  const roles = [
    { id: "r1", name: "Night Crew", color: 0x33aa55 },
    { id: "r2", name: "mod", color: null },
    { id: "r3", name: "Mod Team", color: 0xff0000 },
  ];
  const from: Suggestions = { people: () => [{ id: "u1", username: "nightowl", avatarUrl: null }], everyone: () => false, channels: () => [], roles: () => roles };

  it("offers the roles it is given after the people, and a pick writes @Role Name", () => {
    const list = suggest({ kind: "person", query: "night", start: 0, end: 6 }, from);
    expect(list.map((s) => s.kind)).toEqual(["person", "role"]);
    const role = list[1]!;
    expect(applyPick("@night", { kind: "person", query: "night", start: 0, end: 6 }, role)).toEqual({ text: "@Night Crew ", caret: 12 });
    expect(suggest({ kind: "person", query: "mod", start: 0, end: 4 }, from).map((s) => (s.kind === "role" ? s.id : ""))).toEqual(["r2", "r3"]);
  });

  it("draws a mentioned role (the longest name written there) in its colour; a role the message does not mention stays text", () => {
    const context: MentionContext = { isMember: () => false, me: null, everyone: false, roles };
    const [para] = parseMessage("hi @mod team and @NIGHT CREW, not @mods", context) as [Extract<BlockNode, { type: "paragraph" }>];
    expect(para.children).toEqual([
      { type: "text", text: "hi " },
      { type: "role", id: "r3", name: "Mod Team", color: 0xff0000 },
      { type: "text", text: " and " },
      { type: "role", id: "r1", name: "Night Crew", color: 0x33aa55 },
      { type: "text", text: ", not @mods" },
    ]);
    expect(parseExcerpt("hi @mod team", { ...context, roles: [] })).toEqual([{ type: "text", text: "hi @mod team" }]);
  });
});

import { describe, expect, it } from "vitest";
import { applySearchPick, highlight, parseSearch, readable, searchSuggestions, searchTriggerAt, tokenize, type Known } from "../src/lib/searchQuery.ts";

const ada = { id: "01HZZZZZZZZZZZZZZZZZZZZZA1", username: "ada" };
const bob = { id: "01HZZZZZZZZZZZZZZZZZZZZZB1", username: "Bob.Builder" };
const general = { id: "01HZZZZZZZZZZZZZZZZZZZZZC1", name: "general" };
const random = { id: "01HZZZZZZZZZZZZZZZZZZZZZC2", name: "off topic" };
const known: Known = { people: [ada, bob], places: [general, random], placeKind: "channel" };

describe("parseSearch", () => {
  it("turns filter words into the route's parameters and keeps the rest as the words", () => {
    expect(parseSearch('deploy from:ada in:general has:link "release notes" mentions:@bob.builder', known)).toEqual({
      ok: true,
      params: { q: 'deploy "release notes"', authorId: ada.id, place: general.id, has: "link", mentions: bob.id },
    });
    // A quoted name holds its spaces; `#` before a channel's name is allowed.
    expect(parseSearch('in:"off topic" perm', known)).toEqual({ ok: true, params: { q: "perm", place: random.id } });
    expect(parseSearch("in:#general FROM:ADA", known)).toEqual({ ok: true, params: { place: general.id, authorId: ada.id } });
  });

  it("reads dates as days in the reader's time zone: before the day starts, after it ends", () => {
    const parsed = parseSearch("has:image before:2026-03-10 after:2026-03-01", known);
    expect(parsed).toEqual({
      ok: true,
      params: { has: "image", before: new Date(2026, 2, 10).toISOString(), after: new Date(2026, 2, 2).toISOString() },
    });
  });

  it("refuses what would search for something else, saying why", () => {
    const error = (text: string) => {
      const parsed = parseSearch(text, known);
      return parsed.ok ? null : parsed.error;
    };
    expect(error("from:nobody hello")).toBe("Nobody here is called nobody.");
    expect(error("in:secret hello")).toBe("There is no channel #secret you can see.");
    expect(error("has:video")).toBe("has: is file, image or link.");
    expect(error("hello before:2026-02-30")).toBe("before: takes a date like 2026-03-01.");
    expect(error("hello from:")).toBe("Type what from: is after the colon.");
    // The route needs words, an author, a mention or `has`: a channel or a date alone is not a search.
    expect(error("in:general after:2026-01-01")).toBe("Type words to find, or use from:, mentions: or has:.");
    expect(error("")).toBe("Type words to find, or use from:, mentions: or has:.");
    expect(error("x".repeat(201))).toBe("Search for at most 200 characters of words.");
    expect(error("?!")).toBe("Type words to find: letters or digits.");
    expect(parseSearch("in:alice hi", { ...known, placeKind: "dm" })).toEqual({ ok: false, error: "You have no conversation with alice." });
  });
});

describe("suggestions while typing", () => {
  const at = (text: string) => searchTriggerAt(text, text.length);

  it("finds the filter being typed at the caret, or the start of one", () => {
    expect(at("")).toEqual({ kind: "filters", query: "", start: 0, end: 0 });
    expect(at("hello ")).toEqual({ kind: "filters", query: "", start: 6, end: 6 });
    expect(at("hello fr")).toEqual({ kind: "filters", query: "fr", start: 6, end: 8 });
    expect(at("hello from:a")).toEqual({ kind: "from", query: "a", start: 6, end: 12 });
    expect(at('in:"off t')).toEqual({ kind: "in", query: "off t", start: 0, end: 9 });
    // A word that starts no filter, or a caret inside a word, is not one.
    expect(at("hello")).toBeNull();
    expect(searchTriggerAt("from:ada", 2)).toBeNull();
    expect(tokenize('a "b c" d').map((t) => t.text)).toEqual(["a", '"b c"', "d"]);
  });

  it("offers filter words, then members, channels, what a message has and days", () => {
    const labels = (text: string) =>
      searchSuggestions(at(text)!, known, new Date(2026, 2, 15)).map((s) =>
        s.kind === "person" ? s.user.username : s.kind === "channel" ? `#${s.name}` : s.kind === "option" ? `${s.label} ${s.hint ?? ""}`.trim() : s.kind,
      );
    expect(labels("")).toEqual(["from: user", "mentions: user", "in: channel", "has: link, image or file", "before: date", "after: date"]);
    expect(labels("m")).toEqual(["mentions: user"]);
    expect(labels("from:b")).toEqual(["Bob.Builder"]);
    expect(labels("mentions:")).toEqual(["ada", "Bob.Builder"]);
    expect(labels("in:top")).toEqual(["#off topic"]);
    expect(labels("has:i")).toEqual(["image"]);
    expect(labels("before:")).toEqual(["2026-03-15 Today", "2026-03-14 Yesterday", "2026-03-08 A week ago", "2026-02-13 30 days ago", "2025-03-15 A year ago"]);
    expect(labels("after:2026-01-02")).toEqual(["2026-01-02 This day"]);
    // No `in:` where there is nowhere to point it.
    expect(searchSuggestions(at("i")!, { ...known, places: [] })).toEqual([]);
  });

  it("writes the pick in place of what was typed", () => {
    const text = "deploy fr";
    const filters = searchSuggestions(at(text)!, known);
    const word = applySearchPick(text, at(text)!, filters[0]!);
    // A filter word: its value is typed next, right after it.
    expect(word).toEqual({ text: "deploy from:", caret: 12 });
    const person = applySearchPick(word.text, at(word.text)!, searchSuggestions(at(word.text)!, known)[1]!);
    expect(person).toEqual({ text: "deploy from:Bob.Builder ", caret: 24 });
    const place = applySearchPick("in:of later", searchTriggerAt("in:of later", 5)!, searchSuggestions(searchTriggerAt("in:of later", 5)!, known)[0]!);
    expect(place).toEqual({ text: 'in:"off topic" later', caret: 15 });
  });
});

describe("highlight", () => {
  const marked = (text: string, q: string) => highlight(text, q).filter((p) => p.hit).map((p) => p.text);

  it("marks the words the search asked for, folded as the index folds them, the last as a prefix", () => {
    expect(marked("Check the PERMISSIONS page, perm!", "perm")).toEqual(["PERMISSIONS", "perm"]);
    expect(marked("Un café à Paris, cafe au lait", "cafe paris")).toEqual(["café", "Paris", "cafe"]);
    expect(marked("see report.pdf and reporting", "report pdf")).toEqual(["report", "pdf"]);
    // Only the last word (or one with `*`) is a prefix.
    expect(marked("report reporting deploy deployed", "report* deploy x")).toEqual(["report", "reporting", "deploy"]);
    expect(highlight("nothing here", undefined)).toEqual([{ text: "nothing here", hit: false }]);
    expect(highlight("a cat sat", "cat").map((p) => p.text).join("")).toBe("a cat sat");
  });

  it("writes channel links as their names", () => {
    expect(readable(`see <#${general.id}> and <#01HZZZZZZZZZZZZZZZZZZZZZZZ>`, (id) => (id === general.id ? "general" : undefined))).toBe(
      "see #general and <#01HZZZZZZZZZZZZZZZZZZZZZZZ>",
    );
  });
});

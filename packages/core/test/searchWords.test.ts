/** Search's word rules (search/words.ts, api.md "Search"): pure, so checked without a table. */
import { describe, expect, it } from "vitest";
import { clauseMatches, fold, MAX_WORD, messageWords, parseQuery, words } from "../src/search/words.ts";
import { termsOf } from "../src/search/postings.ts";

describe("words", () => {
  it("folds case and accents the Unicode way", () => {
    expect(fold("Café")).toBe("cafe");
    expect(fold("STRASSE")).toBe(fold("Straße"));
    expect(fold("ΟΔΟΣ")).toBe(fold("οδος"));
    expect(fold("ﬁle")).toBe("file");
  });

  it("cuts at anything not a letter or digit: URLs and file names fall into parts", () => {
    expect(words("See report.pdf at https://github.com/a/b!")).toEqual(["see", "report", "pdf", "at", "https", "github", "com", "a", "b"]);
    expect(words("...")).toEqual([]);
  });

  it("indexes a CJK run as its overlapping pairs, a single character as itself", () => {
    expect(words("東京都 に")).toEqual(["東京", "京都", "に"]);
    expect(words("abc東京def")).toEqual(["abc", "東京", "def"]);
  });

  it("cuts a very long word", () => {
    expect([...words("x".repeat(500))[0]!].length).toBe(MAX_WORD);
  });
});

describe("parseQuery and matching", () => {
  const seq = messageWords({ content: "The quick brown fox, see notes.txt", authorUsername: "Zoë", attachments: [{ filename: "Budget-2026.xlsx" }] });

  it("makes the last word a prefix, and any word with *", () => {
    expect(parseQuery("quick bro")).toEqual([{ words: ["quick"], prefix: false }, { words: ["bro"], prefix: true }]);
    expect(parseQuery("qui* fox")).toEqual([{ words: ["qui"], prefix: true }, { words: ["fox"], prefix: true }]);
    expect(parseQuery('"brown fox" the')).toEqual([{ words: ["brown", "fox"], prefix: false }, { words: ["the"], prefix: true }]);
    expect(parseQuery('x "brown fox"')).toEqual([{ words: ["x"], prefix: false }, { words: ["brown", "fox"], prefix: false }]);
  });

  it("matches phrases in order only, and never across a message's parts", () => {
    const m = (q: string) => parseQuery(q).every((c) => clauseMatches(c, seq));
    expect(m('"quick brown"')).toBe(true);
    expect(m('"brown quick"')).toBe(false);
    expect(m("notes.txt")).toBe(true);
    expect(m("budget 2026")).toBe(true);
    expect(m("zoe")).toBe(true);
    // "txt" ends the content and "budget" starts a file name: not next to each other.
    expect(m('"txt budget"')).toBe(false);
  });

  it("gives every word, its two-letter prefix and the filters as terms, each once", () => {
    const terms = termsOf({ messageId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", authorId: "A", authorUsername: "ann", content: "hello hello https://x.io", mentions: ["B"] });
    expect(new Set(terms).size).toBe(terms.length);
    expect(terms).toEqual(expect.arrayContaining(["hello", "~he", "ann", "@from:A", "@mentions:B", "@has:link"]));
  });
});

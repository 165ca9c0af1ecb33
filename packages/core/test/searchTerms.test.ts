/**
 * Which terms may drive a search (search/query.ts `drivingTerms`): each must be a term of every
 * message the search matches (postings.ts `termsOf`), or the walk would miss it. Pure: no table.
 */
import { describe, expect, it } from "vitest";
import { drivingTerms } from "../src/search/query.ts";
import { matchesAll, messageWords, parseQuery } from "../src/search/words.ts";
import { termsOf, type IndexedMessage } from "../src/search/postings.ts";

const terms = (q: string | undefined, filters: { authorId?: string; mentions?: string; has?: "file" | "image" | "link" } = {}) =>
  drivingTerms(q ? parseQuery(q) : [], { q, limit: 25, ...filters });

const message = (content: string): IndexedMessage => ({ messageId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", authorId: "A", authorUsername: "zoe", content, mentions: ["M"] });

describe("the terms a search may walk", () => {
  it("lists every whole word (longest first), the filters, then the prefix terms and has", () => {
    expect(terms("quick bro")).toEqual(["quick", "~bro"]);
    expect(terms('"brown fox" perm')).toEqual(["brown", "fox", "~per"]);
    expect(terms("fox fox pe")).toEqual(["fox", "~pe"]);
    expect(terms("perm", { authorId: "A", mentions: "M", has: "link" })).toEqual(["@from:A", "@mentions:M", "~per", "@has:link"]);
    expect(terms(undefined, { has: "file" })).toEqual(["@has:file"]);
  });

  it("walks a one-letter word alone as a whole word, and with a filter or another word checks it as a prefix", () => {
    // No one-letter prefix postings (docs/search.md, "One letter"): alone, the letter itself.
    expect(terms("t")).toEqual(["t"]);
    // With a filter, the filter's postings are walked and the letter checked as a prefix: `tea` is found.
    expect(terms("t", { has: "link" })).toEqual(["@has:link"]);
    expect(terms("t", { authorId: "A" })).toEqual(["@from:A"]);
    expect(terms("green t")).toEqual(["green"]);
    const m = message("green tea at https://example.com");
    for (const q of ["green t", "t"]) {
      const clauses = parseQuery(q);
      expect(matchesAll(clauses, messageWords(m))).toBe(true);
    }
    expect(termsOf(m)).toEqual(expect.arrayContaining(["green", "@from:A", "@mentions:M", "@has:link"]));
  });

  it("only names terms every match is posted under", () => {
    const m = message("Permissions for the green teapot, see report.pdf");
    const all = termsOf(m);
    for (const q of ["perm", "green tea", '"the green" tea', "report.pdf", "pe", "for perm*"]) {
      expect(matchesAll(parseQuery(q), messageWords(m))).toBe(true);
      for (const t of terms(q, { authorId: "A", mentions: "M" })) expect(all).toContain(t);
    }
  });

  it("refuses a search with nothing to walk", () => {
    expect(() => terms(undefined)).toThrow(/Search for some words/);
  });
});

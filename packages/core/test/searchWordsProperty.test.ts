/**
 * Search's word rules (search/words.ts) and the terms a message is posted under
 * (search/postings.ts), over random texts (fast-check): what a search asks for is always what the
 * index holds, so a message is never missed because the two sides cut or fold a word differently.
 * "Found" here is both halves of a search: the term it walks is one of the message's terms, and
 * every clause of the query matches the message's word sequence.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { clauseMatches, fold, matchesAll, messageWords, parseQuery, words, type Clause } from "../src/search/words.ts";
import { termsOf, type IndexedMessage } from "../src/search/postings.ts";
import { drivingTerm } from "../src/search/query.ts";

/** Characters where folding and cutting are interesting: accents, ß, final sigma, ligatures, compatibility forms, CJK, punctuation. */
const TRICKY = [..."aAzZéÉèñÑçßẞςΣσİıǅǄﬁﬃ㎒①²Å\u0301\u0308東京都日本語にほんごカタカナ한국어中文-._/:@#'!? \t\n0123456789"];
const tricky = fc.constantFrom(...TRICKY);
/** Any text: the tricky characters, mixed with arbitrary code points. */
const text = fc.string({ unit: fc.oneof({ weight: 4, arbitrary: tricky }, { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }), maxLength: 60 });
/** Texts of words people type: the tricky ones, ASCII words, CJK runs. */
const word = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzÉéßς"), minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(..."東京都日本語に"), minLength: 1, maxLength: 5 }),
  fc.constantFrom("report.pdf", "github.com/a/b", "Straße", "ǅemal", "㎒", "ﬁle", "İstanbul", "Café"),
);
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).map((ws) => ws.join(" "));

const message = (content: string): IndexedMessage => ({ messageId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", authorId: "A", authorUsername: "Zoë", content });

/** Found by this query: the walked term is one of the message's terms, and every clause matches. */
function found(q: string, m: IndexedMessage): boolean {
  const clauses = parseQuery(q);
  const sequence = messageWords(m);
  return termsOf(m, sequence).includes(drivingTerm(clauses, { limit: 25 })) && matchesAll(clauses, sequence);
}

/** The reference for a phrase: its words, in order, at some place of the sequence. */
const refPhrase = (phrase: readonly string[], sequence: readonly string[]) => sequence.some((_, i) => phrase.every((w, k) => sequence[i + k] === w));

describe("search words, over random texts", () => {
  it("folds idempotently: a folded text folds to itself, so a folded word is its own query", () => {
    fc.assert(fc.property(text, (t) => {
        expect(fold(fold(t))).toBe(fold(t));
      }), { numRuns: 2000 });
  });

  it("cuts a folded text's words into themselves (each word of the index is one word of a query)", () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const w of words(t)) expect(words(w)).toEqual([w]);
      }),
      { numRuns: 1000 },
    );
  });

  it("finds a message by any of its words, and by any whitespace-separated piece of its text as typed", () => {
    fc.assert(
      fc.property(fc.oneof(text, sentence), (t) => {
        const m = message(t);
        for (const w of words(t)) expect(found(w, m)).toBe(true);
        // A piece as the user would type it (quotes start phrases: left out), in any case.
        for (const piece of t.split(/\s+/).filter((p) => words(p).length && !p.includes('"'))) {
          expect(found(piece, m)).toBe(true);
          expect(found(piece.toUpperCase(), m)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds a message by the first two or more letters of any of its words", () => {
    fc.assert(
      fc.property(sentence, fc.nat(), (t, pick) => {
        const m = message(t);
        const ws = words(t);
        const w = [...ws[pick % ws.length]!];
        for (let k = 2; k <= w.length; k++) expect(found(w.slice(0, k).join(""), m)).toBe(true);
        // Not last and without `*`, a start of a longer word is no match; with `*` it is.
        if (w.length > 2 && !ws.includes(w.slice(0, 2).join(""))) {
          expect(matchesAll(parseQuery(`${w.slice(0, 2).join("")} ${ws[0]}`), messageWords(m))).toBe(false);
          expect(found(`${w.slice(0, 2).join("")}* ${ws[0]}`, m)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds a quoted run of its words, and matches a phrase exactly when its words stand in that order", () => {
    fc.assert(
      fc.property(sentence, fc.nat(), fc.integer({ min: 1, max: 4 }), (t, at, n) => {
        const ws = words(t);
        const start = at % ws.length;
        expect(found(`"${ws.slice(start, start + n).join(" ")}"`, message(t))).toBe(true);
      }),
      { numRuns: 500 },
    );
    const vocabulary = ["alpha", "beta", "gamma", "東京"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 10 }), fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 3 }), (sequence, phrase) => {
        const clause: Clause = { words: phrase, prefix: false };
        expect(clauseMatches(clause, sequence)).toBe(refPhrase(phrase, sequence));
      }),
      { numRuns: 1000 },
    );
  });

  it("finds CJK text by any run of two or more of its characters, wherever the run starts", () => {
    const cjk = fc.string({ unit: fc.constantFrom(..."東京都日本語にほんごカタカナ한국어"), minLength: 2, maxLength: 12 });
    fc.assert(
      fc.property(cjk, fc.string({ unit: "grapheme-ascii", maxLength: 8 }), fc.nat(), fc.nat(), (run, around, a, b) => {
        const chars = [...run];
        const start = a % (chars.length - 1);
        const end = start + 2 + (b % (chars.length - start - 1));
        const m = message(`${around} ${run} ${around}`);
        expect(found(chars.slice(start, end).join(""), m)).toBe(true);
        expect(found(`"${chars.slice(start, end).join("")}"`, m)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

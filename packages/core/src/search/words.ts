/**
 * What a word is, for search (api.md "Search"): the same rules cut a message into the words it is
 * indexed and verified by, and a query into the words it asks for, so both sides always agree.
 *
 * - Folding: NFKD without combining marks, Unicode's default case folding (lower, upper, lower
 *   turns ß and ẞ into ss; ς is σ), then NFKD without marks again, so `Café`, `CAFE` and `café`
 *   are one word.
 * - A word is a run of letters and digits: anything else separates, so a URL or a file name
 *   falls into its parts (`report.pdf` → report, pdf).
 * - CJK (Han, Hiragana, Katakana, Hangul) has no spaces: a run of it is indexed as its
 *   overlapping pairs of characters (a one-character run as itself), and a query run is the
 *   phrase of its pairs, so any run of two or more characters of the text finds it.
 * - A word longer than `MAX_WORD` is cut there (a key stays small; two words alike that far are one).
 */

export const MAX_WORD = 40;

const CJK = String.raw`\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Hangul}`;
const RUN = new RegExp(String.raw`[${CJK}]+|(?:(?![${CJK}])[\p{L}\p{N}])+`, "gu");
const isCjk = new RegExp(String.raw`^[${CJK}]`, "u");

const decompose = (text: string): string => text.normalize("NFKD").replace(/\p{M}/gu, "");

/**
 * The text compared without case or accents. Decomposed before the case is folded too: a
 * compatibility character can decompose into capitals (`㎒` is `MHz`), which must fold like any
 * other (found by property tests: folding must be idempotent, or a folded word is not its own query).
 * Lower, upper, lower: `ẞ` lowers to `ß`, which only the upper case turns into `SS`. And `ς` is
 * `σ`, as case folding has it: JavaScript lowers a `Σ` ending a word to `ς`, so a query's
 * `σ` typed last (a prefix) would otherwise never meet the same letter inside a stored word.
 */
export const fold = (text: string): string => decompose(decompose(text).toLowerCase().toUpperCase().toLowerCase().replaceAll("ς", "σ"));

const cut = (word: string): string => [...word].slice(0, MAX_WORD).join("");

/** One run of CJK as its overlapping pairs (a single character as itself). */
function pairs(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  return chars.slice(1).map((c, i) => chars[i] + c);
}

/** The words of a text, in order, folded (CJK runs as their pairs). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const [run] of fold(text).matchAll(RUN)) {
    if (isCjk.test(run)) out.push(...pairs(run));
    else out.push(cut(run));
  }
  return out;
}

/**
 * One thing a query asks for: these words next to each other in this order (one word is a
 * phrase of one), the last of them also matching as the start of a word when `prefix`.
 */
export interface Clause {
  words: string[];
  prefix: boolean;
}

/**
 * A query's clauses: each `"quoted phrase"`, then each other word (a word that folds into several,
 * like `report.pdf` or a CJK run, is the phrase of them). A word ending in `*`, and the last word
 * of the query when it is not in quotes, match as prefixes. An unclosed quote runs to the end.
 */
export function parseQuery(q: string): Clause[] {
  const clauses: Clause[] = [];
  const parts = q.split('"');
  parts.forEach((part, i) => {
    const quoted = i % 2 === 1;
    if (quoted) {
      const ws = words(part);
      if (ws.length) clauses.push({ words: ws, prefix: false });
      return;
    }
    const tokens = part.split(/\s+/).filter(Boolean);
    tokens.forEach((token, j) => {
      const ws = words(token);
      if (!ws.length) return;
      const last = i === parts.length - 1 && j === tokens.length - 1;
      clauses.push({ words: ws, prefix: token.endsWith("*") || last });
    });
  });
  return clauses;
}

/** Whether the clause is found in a message's word sequence. */
export function clauseMatches(clause: Clause, sequence: readonly string[]): boolean {
  const n = clause.words.length;
  for (let start = 0; start + n <= sequence.length; start++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const want = clause.words[k]!;
      const have = sequence[start + k]!;
      ok = k === n - 1 && clause.prefix ? have.startsWith(want) : have === want;
    }
    if (ok) return true;
  }
  return false;
}

/** Whether every clause is found. */
export const matchesAll = (clauses: readonly Clause[], sequence: readonly string[]): boolean => clauses.every((c) => clauseMatches(c, sequence));

/**
 * Between the parts of a message (its content, each file name, its author's name) in its word
 * sequence: no word is empty, so no phrase reaches across it.
 */
export const BREAK = "";

/** The word sequence a message is searched by: its content, its files' names, its author's username. */
export const messageWords = (m: { content: string; authorUsername: string; attachments?: readonly { filename: string }[] | undefined }): string[] =>
  [m.content, ...(m.attachments ?? []).map((a) => a.filename), m.authorUsername].flatMap((text, i) => (i ? [BREAK, ...words(text)] : words(text)));

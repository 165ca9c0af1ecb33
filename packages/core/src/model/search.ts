/**
 * The search index (docs/search.md): one posting per (message, term) and the indexer's own
 * bookkeeping. Written only off the request path, by the indexer (search/indexer.ts).
 */

/**
 * A message under one of its terms: a word, a word's first two characters (`~ab`, for prefixes),
 * or a filter (`@from:<id>`, `@mentions:<id>`, `@has:file`). The partition is the scope (a server
 * for channel messages; each participant for a DM message), the term and the message's month,
 * so no partition takes every message of a big server and a search reads newest first by month.
 * It carries what a search checks without reading the message.
 */
export const searchPostings = {
  model: { entity: "searchPosting", version: "1", service: "agorusta" },
  attributes: {
    scope: { type: "string", required: true, readOnly: true },
    term: { type: "string", required: true, readOnly: true },
    /** The message's month, `YYYYMM`, from its id's time. */
    bucket: { type: "string", required: true, readOnly: true },
    messageId: { type: "string", required: true, readOnly: true },
    /** The channel or DM conversation that holds the message. */
    conversationId: { type: "string", required: true },
    authorId: { type: "string", required: true },
    mentions: { type: "list", items: { type: "string" }, required: true, default: () => [] },
    has: { type: "list", items: { type: "string" }, required: true, default: () => [] },
    /** The message's word sequence (search/words.ts `messageWords`); absent when too long to copy: the search reads the message then. */
    words: { type: "list", items: { type: "string" } },
  },
  indexes: {
    byTerm: {
      pk: { field: "pk", composite: ["scope", "term", "bucket"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;

/**
 * The indexer's progress: where a stream shard's reading stands (the local runtime), and the
 * backfill's marker per conversation and overall (search/backfill.ts).
 */
export const searchProgress = {
  model: { entity: "searchProgress", version: "1", service: "agorusta" },
  attributes: {
    name: { type: "string", required: true, readOnly: true },
    /** The last stream sequence number applied, or the last message id backfilled. */
    position: { type: "string" },
    done: { type: "boolean", required: true, default: false },
    updatedAt: { type: "string", required: true },
  },
  indexes: {
    byName: {
      pk: { field: "pk", composite: ["name"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;

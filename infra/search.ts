import { table } from "./storage.ts";
import { handlerArgs } from "./functions.ts";
import { realtime } from "./realtime.ts";

/** A stream record of a channel or DM message, before or after the change (deletions have only the before). */
const messageRecord = (image: "NewImage" | "OldImage") => ({ dynamodb: { [image]: { __edb_e__: { S: ["message", "dmMessage"] } } } });

/**
 * The search indexer (docs/search.md): the table's stream into a Lambda, only messages' records
 * (the filter is applied by Lambda before it is invoked, so no other write costs an invocation).
 * Records of one item arrive in order; a failed batch is retried, and applying one twice is harmless.
 */
table.subscribe("SearchIndex", { ...handlerArgs("searchIndex", realtime), timeout: "1 minute" }, {
  filters: [messageRecord("NewImage"), messageRecord("OldImage")],
});

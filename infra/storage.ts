import { globalIndexes, keyAttributes, keyFields, ttlAttribute, type GlobalIndexName } from "../packages/core/src/store/table.ts";
import { links } from "../packages/functions/src/lambda/links.ts";

interface SstGlobalIndex {
  hashKey: string;
  rangeKey: string;
  projection: "all";
}

/**
 * SST's `globalIndexes`, keyed by the table definition's own index names, so an index the
 * definition lacks does not typecheck. Projections are ALL, as in the local CreateTable.
 */
export const tableIndexes = Object.fromEntries(
  Object.entries(globalIndexes).map(([name, keys]) => [name, { ...keys, projection: "all" }]),
) as Record<GlobalIndexName, SstGlobalIndex>;

/**
 * Protected stages (sst.config.ts decides which, by configuration) keep their data: deletion
 * protection, point-in-time recovery, and the table outlives `sst remove`.
 */
const protect = $app.protect;

// SST's Dynamo link grants `dynamodb:*` on the table; this one carries the table's name only, and
// infra/functions.ts grants each Lambda the few actions it uses.
sst.Linkable.wrap(sst.aws.Dynamo, (dynamo) => ({ properties: { name: dynamo.name } }));

/** The one table, built from the same definition as the local runtime's CreateTable. */
export const table = new sst.aws.Dynamo(links.table, {
  fields: keyFields,
  primaryIndex: { hashKey: keyAttributes.pk, rangeKey: keyAttributes.sk },
  globalIndexes: tableIndexes,
  ttl: ttlAttribute,
  // Search's indexer reads every change of a message, before and after (infra/search.ts).
  stream: "new-and-old-images",
  deletionProtection: protect,
  // SST turns point-in-time recovery on, which bills per GB stored: worth it for protected stages only.
  transform: { table: { pointInTimeRecovery: { enabled: protect } } },
});

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

const production = $app.stage === "production";

/** The one table, built from the same definition as the local runtime's CreateTable. */
export const table = new sst.aws.Dynamo(links.table, {
  fields: keyFields,
  primaryIndex: { hashKey: keyAttributes.pk, rangeKey: keyAttributes.sk },
  globalIndexes: tableIndexes,
  ttl: ttlAttribute,
  deletionProtection: production,
  // SST turns point-in-time recovery on, which bills per GB stored: worth it for production only.
  transform: { table: { pointInTimeRecovery: { enabled: production } } },
});

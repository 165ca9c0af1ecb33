import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, UpdateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
/**
 * The one table. Every entity lives here behind generic key attributes, so this
 * module is the single description both SST (`infra/storage.ts`) and the local
 * runtime (`CreateTable`) build the table from.
 */
export const keyAttributes = {
  pk: "pk",
  sk: "sk",
} as const;

export const globalIndexes = {
  gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk" },
  gsi2: { hashKey: "gsi2pk", rangeKey: "gsi2sk" },
} as const;

export type GlobalIndexName = keyof typeof globalIndexes;

/** Epoch seconds; DynamoDB's TTL sweeper deletes items some time after it passes. */
export const ttlAttribute = "ttl";

/**
 * Every change of an item, before and after, goes to the table's stream: the search indexer reads
 * it (docs/search.md), deployed through a Lambda subscription (infra/search.ts), locally in process.
 */
export const streamView = "NEW_AND_OLD_IMAGES" as const;

/** Every key attribute is a string: SST's `fields` and CreateTable's AttributeDefinitions. */
export const keyFields: Record<string, "string"> = Object.fromEntries(
  [
    keyAttributes.pk,
    keyAttributes.sk,
    ...Object.values(globalIndexes).flatMap((i) => [i.hashKey, i.rangeKey]),
  ].map((name) => [name, "string" as const]),
);

/** The CreateTable request for the local runtime and the tests (on-demand billing, like SST's default). */
export function createTableInput(tableName: string, { stream = true }: TableOptions = {}) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: streamView } } : {}),
    AttributeDefinitions: Object.keys(keyFields).map((AttributeName) => ({
      AttributeName,
      AttributeType: "S" as const,
    })),
    KeySchema: [
      { AttributeName: keyAttributes.pk, KeyType: "HASH" as const },
      { AttributeName: keyAttributes.sk, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: Object.entries(globalIndexes).map(([IndexName, keys]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: keys.hashKey, KeyType: "HASH" as const },
        { AttributeName: keys.rangeKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
  };
}

export interface TableOptions {
  /**
   * The stream, on unless said otherwise. Only tests that never index leave it off: DynamoDB Local
   * keeps every stream record of every table for a day, and its GetRecords slows down with their
   * number, so a test run's thousands of tables would make every indexer's read slower.
   */
  stream?: boolean;
}

/**
 * Creates the table from the shared definition unless it is already there; a table made before
 * search (a local `.data/` from an older version) gets its stream turned on.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, options: TableOptions = {}): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (options.stream !== false && !Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: streamView } }));
    }
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName, options)));
}

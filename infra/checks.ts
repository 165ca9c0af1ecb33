/**
 * Type-level checks that `npm run typecheck` compiles with the rest of infra/ and nothing runs
 * (sst.config.ts never imports this file).
 */
import type { LinkedResources, links } from "../packages/functions/src/lambda/links.ts";
import type { table, tableIndexes } from "./storage.ts";
import type { jwtSecret, vapidKey } from "./secrets.ts";
import type { fanout, realtime } from "./realtime.ts";
import type { connectionExpiries, purgeQueue, pushQueue } from "./queues.ts";
import type { files } from "./files.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// config.ts reads from sst's `Resource` exactly the properties each linked component carries.
type Linked = {
  [links.table]: typeof table;
  [links.jwtSecret]: typeof jwtSecret;
  [links.realtime]: typeof realtime;
  [links.purgeQueue]: typeof purgeQueue;
  [links.expiryQueue]: typeof connectionExpiries;
  [links.fanout]: typeof fanout;
  [links.files]: typeof files;
  [links.pushQueue]: typeof pushQueue;
  [links.vapidKey]: typeof vapidKey;
};
type Carried = { [K in keyof Linked]: keyof ReturnType<Linked[K]["getSSTLink"]>["properties"] };
type Read = { [K in keyof LinkedResources]: keyof LinkedResources[K] };
export const linksCarryWhatConfigReads: Same<Carried, Read> = true;

// These must stay errors: if SST's types ever resolved to `any`, the typecheck would stop
// catching wrong component arguments, and these lines would fail it instead.
export const unknownArgument: sst.aws.DynamoArgs = {
  fields: { pk: "string" },
  primaryIndex: { hashKey: "pk" },
  // @ts-expect-error not an argument of SST's Dynamo
  noSuchArgument: true,
};
export const unknownIndex = (indexes: typeof tableIndexes) =>
  // @ts-expect-error not an index of packages/core/src/store/table.ts
  indexes.gsi9;

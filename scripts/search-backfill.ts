/**
 * `npm run search:backfill -- --stage NAME`: indexes, for search, the messages a deployed stage
 * stored before its search index existed (core search/backfill.ts: a Scan of message items, its
 * position kept in the table, so running it again resumes, and once done it does nothing). It
 * runs on this machine with your AWS credentials, inside `sst shell` for the stage's table name;
 * the stream Lambda keeps the index current from then on. Locally, `npm start` does this itself.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDb, createDynamoClients } from "@agorusta/core";
import { backfill } from "@agorusta/core/search";

const { values } = parseArgs({ options: { stage: { type: "string" }, table: { type: "string" } } });

if (values.table) {
  const db = createDb(createDynamoClients().document, values.table);
  const scanner = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const result = await backfill(db, scanner, values.table);
  console.log(`search backfill of ${values.table}: ${result.messages} messages indexed; done: ${result.done}`);
} else if (values.stage) {
  // `sst shell` puts the stage's linked resources in the environment; the table's name comes from there.
  const script = `import("sst").then(({ Resource }) => console.log(Resource.Table.name))`;
  const found = spawnSync("npx", ["sst", "shell", "--stage", values.stage, "--", "node", "--input-type=module", "-e", script], { encoding: "utf8" });
  const table = found.stdout.trim().split("\n").at(-1);
  if (found.status !== 0 || !table) {
    console.error(found.stderr || "could not read the stage's table name");
    process.exit(1);
  }
  const run = spawnSync(process.execPath, [import.meta.filename, "--table", table], { stdio: "inherit" });
  process.exit(run.status ?? 1);
} else {
  console.error("usage: npm run search:backfill -- --stage NAME   (or --table TABLE_NAME)");
  process.exit(2);
}

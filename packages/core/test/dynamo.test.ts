import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { ScanCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients, localDynamoConfig } from "../src/store/client.ts";
import { freshDb } from "./harness.ts";

describe("the DynamoDB client", () => {
  it("counts requests by operation", async () => {
    const deps = await freshDb();
    for (const k of Object.keys(deps.dynamo.counts)) delete deps.dynamo.counts[k];
    await deps.db.entities.users.get({ userId: "nobody" }).go();
    await deps.db.entities.members.query.byUser({ userId: "nobody" }).go();
    expect(deps.dynamo.counts).toEqual({ GetItem: 1, Query: 1 });
  });

  it("refuses a Scan before it reaches the table", async () => {
    const { raw, counts } = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")));
    await expect(raw.send(new ScanCommand({ TableName: "anything" }))).rejects.toThrow(/Scan is not allowed/);
    expect(counts.Scan).toBe(1);
    await expect(raw.send(new GetItemCommand({ TableName: "missing", Key: { pk: { S: "x" }, sk: { S: "y" } } }))).rejects.toThrow(/non-existent table|not found/i);
  });
});

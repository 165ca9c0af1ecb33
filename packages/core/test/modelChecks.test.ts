/**
 * The Lambdas skip ElectroDB's JSON-schema checks of our models at each cold start
 * (model/modelChecks.ts): the checks still run everywhere else, and a Db built without them is
 * the same Db. The skip is process-wide, so this file is its own process (vitest isolates files).
 */
import { expect, it } from "vitest";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Entity } from "electrodb";
import { createDb, skipModelChecks } from "../src/index.ts";
import { users } from "../src/model/users.ts";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1", endpoint: "http://127.0.0.1:1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }));
/** A model only ElectroDB's schema check refuses (building it would not): `required` is not a boolean. */
const broken = { ...users, attributes: { ...users.attributes, email: { type: "string", required: "yes" } } };
/** What each entity would send DynamoDB for a get and a query of its table index: the keys it builds. */
const requestsOf = (db: ReturnType<typeof createDb>) =>
  Object.entries(db.entities).map(([name, entity]) => {
    const facets = Object.fromEntries(Object.keys((entity as unknown as { schema: { attributes: object } }).schema.attributes).map((a) => [a, `${a}-1`]));
    return [name, JSON.stringify((entity as unknown as { get(f: object): { params(): unknown } }).get(facets).params())];
  });

it("checks models until a Lambda skips it, and builds the very same Db without the checks", () => {
  expect(() => new Entity(broken as never)).toThrow(/attributes\.email\.required is not of a type/);
  const checked = createDb(client, "table");

  skipModelChecks();
  expect(() => new Entity(broken as never)).not.toThrow();
  const unchecked = createDb(client, "table");
  expect(Object.keys(unchecked.entities)).toEqual(Object.keys(checked.entities));
  expect(Object.keys(unchecked.entities).length).toBeGreaterThan(30);
  expect(requestsOf(unchecked)).toEqual(requestsOf(checked));
});

/**
 * The browser bundle carries the API's types, never its code: no password hashing, no table
 * access, no AWS SDK, no secrets handling.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { webRoot } from "./browser.ts";

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));

describe("the built web app", () => {
  const scripts = files(join(webRoot, "_app")).filter((f) => f.endsWith(".js"));

  it("was built", () => {
    expect(scripts.length).toBeGreaterThan(0);
  });

  it.each([
    ["argon2", /argon2/i],
    ["ElectroDB", /electrodb|ElectroError/i],
    ["the AWS SDK", /@aws-sdk|x-amz-date|DynamoDBClient/],
    ["jose (token signing)", /SignJWT|jwtVerify/],
    ["Node built-ins", /node:(crypto|fs|net|http)/],
  ])("contains no %s", (_, pattern) => {
    const hits = scripts.filter((f) => pattern.test(readFileSync(f, "utf8")));
    expect(hits).toEqual([]);
  });
});

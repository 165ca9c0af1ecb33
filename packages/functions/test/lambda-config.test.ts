/**
 * Where the Lambdas find their table, secret and WebSocket endpoint outside SST: the environment.
 * (Under SST: lambda-config-sst.test.ts, in a process of its own, as sst's Resource reads its
 * sources once per process.)
 */
import { describe, expect, it } from "vitest";
import { readConfig, ConfigError } from "../src/config.ts";

describe("readConfig outside SST", () => {
  it("reads TABLE_NAME, JWT_SECRET, WS_MANAGEMENT_ENDPOINT and DYNAMODB_ENDPOINT", () => {
    expect(
      readConfig({ TABLE_NAME: "t", JWT_SECRET: "s", WS_MANAGEMENT_ENDPOINT: "http://127.0.0.1:3000/ws", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000" }),
    ).toEqual({
      tableName: "t",
      jwtSecret: "s",
      wsManagementEndpoint: "http://127.0.0.1:3000/ws",
      dynamoEndpoint: "http://127.0.0.1:8000",
      app: "agorusta",
      stage: "local",
      webOrigin: undefined,
    });
    expect(readConfig({ TABLE_NAME: "t", JWT_SECRET: "s", APP_NAME: "chat", STAGE: "prod", WEB_ORIGIN: "https://chat.example" })).toMatchObject({
      app: "chat",
      stage: "prod",
      webOrigin: "https://chat.example",
    });
  });

  it("names what is missing", () => {
    expect(() => readConfig({ TABLE_NAME: "t" })).toThrow(ConfigError);
    expect(() => readConfig({})).toThrow(/TABLE_NAME and JWT_SECRET/);
  });
});

/** The REST Lambda behind the HTTP API's `$default` route: the same Hono app as `npm start`. */
import { handle } from "hono/aws-lambda";
import { createFileStore, localS3Config } from "@agorusta/core/attachments";
import { createApp } from "../app.ts";
import { loadDeps, readConfig } from "../config.ts";

// Its bucket (linked to this Lambda only): region and credentials from the Lambda's role.
const openFiles = (bucket: string, s3Endpoint: string | undefined) =>
  createFileStore({ bucket, config: s3Endpoint ? localS3Config(s3Endpoint) : {} });

// Built during the Lambda's init phase, once per instance; `handle` gives the async handler Node 24 requires.
export const handler = handle(createApp(loadDeps("api", readConfig(), openFiles)));

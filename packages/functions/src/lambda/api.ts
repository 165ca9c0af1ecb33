/** The REST Lambda behind the HTTP API's `$default` route: the same Hono app as `npm start`. */
import { handle, type APIGatewayProxyResult, type LambdaContext, type LambdaEvent } from "hono/aws-lambda";
import { localS3Config, type FileStore } from "@agorusta/core/attachments";
import { createApp } from "../app.ts";
import { loadDeps, readConfig } from "../config.ts";
import { apiSecurityHeaders } from "../http/securityHeaders.ts";
import { unroutableMethod } from "../http/methods.ts";
import { atFirstCall } from "./atFirstCall.ts";

// Its bucket (linked to this Lambda only): region and credentials from the Lambda's role. The S3
// client loads at the first request that touches a file (lambda/atFirstCall.ts); only the local
// runtime and tests reach for the store's `client`.
const openFiles = (bucket: string, s3Endpoint: string | undefined) =>
  atFirstCall<FileStore>(
    async () => {
      const { createFileStore } = await import("@agorusta/core/attachments/s3Store");
      return createFileStore({ bucket, config: s3Endpoint ? localS3Config(s3Endpoint) : {} });
    },
    {
      bucket,
      get client(): never {
        throw new Error("The API Lambda's file store has no S3 client until a file is touched: use its methods");
      },
    },
  );

// Built during the Lambda's init phase, once per instance; `handle` gives the async handler Node 24 requires.
const app = handle(createApp(loadDeps("api", readConfig(), openFiles)));

/** The HTTP API's payload 2.0 event. */
type HttpApiEvent = Extract<LambdaEvent, { rawPath: string; requestContext: { http: { method: string } } }>;

/** A method no web-standard Request can carry (TRACE) is answered here, in the app's JSON, before the app. */
export const handler = async (event: HttpApiEvent, context?: LambdaContext): Promise<APIGatewayProxyResult> => {
  const refused = unroutableMethod(event.requestContext.http.method, event.rawPath);
  if (!refused) return app(event, context);
  return {
    statusCode: refused.status,
    headers: { "content-type": "application/json", ...apiSecurityHeaders },
    body: JSON.stringify(refused.body),
    isBase64Encoded: false,
  };
};

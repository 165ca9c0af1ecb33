import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";
import { startS3Local } from "@agorusta/local/s3Local";
import type { Credentials } from "@agorusta/local/sigv4";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    /** The only credentials the store accepts (made up at its start). */
    s3Credentials: Credentials;
  }
}

/**
 * One in-memory DynamoDB Local and one embedded S3-compatible store (in a temporary folder) for
 * the whole run; each test file makes its own table and bucket in them.
 */
export default async function setup(project: TestProject) {
  const [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3Local()]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("s3Endpoint", s3.endpoint);
  project.provide("s3Credentials", s3.credentials);
  return () => Promise.all([dynamo.stop(), s3.stop()]).then(() => undefined);
}

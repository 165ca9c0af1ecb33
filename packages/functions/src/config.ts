import { Resource } from "sst/resource";
import { createDb, createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { createFileStore, localS3Config, unlinkedFileStore } from "@agorusta/core/attachments";
import { createDeps, type Deps } from "./deps.ts";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "./delivery/publisher.ts";
import { lambdaFanout } from "./delivery/fanout.ts";
import { links, type LinkedResources } from "./lambda/links.ts";

/** What a Lambda needs to know about its surroundings. */
export interface FunctionConfig {
  tableName: string;
  jwtSecret: string;
  /** The WebSocket API's `@connections` endpoint; without it nothing is pushed. */
  wsManagementEndpoint?: string;
  /** DynamoDB Local, when running outside AWS. */
  dynamoEndpoint?: string;
  /** The Fanout Lambda that delivers large audiences in batches; without it, every post is made here. */
  fanoutFunction?: string;
  /** The bucket of attachments, avatars and icons; none for a function that has none linked. */
  bucketName?: string;
  /** The embedded S3-compatible store, when running outside AWS. */
  s3Endpoint?: string;
}

export class ConfigError extends Error {}

/**
 * Under SST (deployed or `sst dev`) the linked resources; anywhere else the environment:
 * TABLE_NAME, JWT_SECRET, and optionally WS_MANAGEMENT_ENDPOINT, DYNAMODB_ENDPOINT, BUCKET_NAME, S3_ENDPOINT and FANOUT_FUNCTION.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  // `in` never throws, unlike reading a missing key of sst's Resource.
  if (links.table in Resource) {
    const linked = Resource as unknown as LinkedResources;
    return {
      tableName: linked[links.table].name,
      jwtSecret: linked[links.jwtSecret].value,
      wsManagementEndpoint: linked[links.realtime].managementEndpoint,
      // The Fanout Lambda is not linked to itself: a batch is delivered where it lands.
      ...(links.fanout in Resource ? { fanoutFunction: linked[links.fanout].name } : {}),
      bucketName: links.files in Resource ? linked[links.files].name : undefined,
    };
  }
  const missing = ["TABLE_NAME", "JWT_SECRET"].filter((name) => !env[name]);
  if (missing.length) {
    throw new ConfigError(`Not running under SST and ${missing.join(" and ")} not set: set them, or start through \`sst dev\`.`);
  }
  return {
    tableName: env.TABLE_NAME!,
    jwtSecret: env.JWT_SECRET!,
    wsManagementEndpoint: env.WS_MANAGEMENT_ENDPOINT || undefined,
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    fanoutFunction: env.FANOUT_FUNCTION || undefined,
    bucketName: env.BUCKET_NAME || undefined,
    s3Endpoint: env.S3_ENDPOINT || undefined,
  };
}

/**
 * The handlers' deps, built once per Lambda instance from `readConfig`. Region and credentials
 * for DynamoDB and `@connections` come from the SDK's usual sources (in Lambda, its role).
 */
export function loadDeps(config: FunctionConfig = readConfig()): Deps {
  const dynamo = createDynamoClients(config.dynamoEndpoint ? localDynamoConfig(config.dynamoEndpoint) : {});
  const endpoint = config.wsManagementEndpoint;
  const fanout = config.fanoutFunction ? lambdaFanout(config.fanoutFunction) : undefined;
  return createDeps({
    dynamo,
    tableName: config.tableName,
    jwtSecret: config.jwtSecret,
    files: config.bucketName
      ? createFileStore({ bucket: config.bucketName, config: config.s3Endpoint ? localS3Config(config.s3Endpoint) : {} })
      : unlinkedFileStore,
    publisher: endpoint ? (db) => createApiGatewayPublisher(db, { endpoint, ...(fanout ? { fanout } : {}) }) : undefined,
  });
}

/** The Fanout Lambda's publisher: the same deps, posting every batch it is given itself. */
export function loadPublisher(config: FunctionConfig = readConfig()): ApiGatewayPublisher {
  if (!config.wsManagementEndpoint) throw new ConfigError("The Fanout Lambda needs the WebSocket API's management endpoint.");
  const dynamo = createDynamoClients(config.dynamoEndpoint ? localDynamoConfig(config.dynamoEndpoint) : {});
  return createApiGatewayPublisher(createDb(dynamo.document, config.tableName), { endpoint: config.wsManagementEndpoint });
}

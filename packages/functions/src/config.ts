import { Resource } from "sst/resource";
import { createDb, createDynamoClients, localDynamoConfig, skipModelChecks } from "@agorusta/core";
import type { FileStore } from "@agorusta/core/attachments";
import { createDeps, type Deps } from "./deps.ts";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "./delivery/publisher.ts";
import type { FanoutEngine } from "./delivery/fanout.ts";
import type { PurgeQueue } from "./purge/queue.ts";
import type { ExpiryQueue } from "./delivery/connectionExpiry.ts";
import { links, type LinkedResources } from "./lambda/links.ts";
import { usageLimitsFrom } from "@agorusta/core/limits";
import { dynamoActions, type LambdaName } from "./lambda/permissions.ts";
import { jwtScope } from "./lambda/stage.ts";
import type { PushQueue } from "./push/queue.ts";
import { atFirstCall } from "./lambda/atFirstCall.ts";
import { vapidKeysFrom, type PushSetup } from "./push/setup.ts";

/** What a Lambda needs to know about its surroundings. */
export interface FunctionConfig {
  tableName: string;
  jwtSecret: string;
  /** The WebSocket API's `@connections` endpoint; without it nothing is pushed. */
  wsManagementEndpoint?: string;
  /** DynamoDB Local, when running outside AWS. */
  dynamoEndpoint?: string;
  /** The SQS queue deleted servers' purges go to; without it they wait in the table (`pendingPurges`). */
  purgeQueueUrl?: string;
  /** The SQS queue that closes WebSockets at their token's expiry (delivery/connectionExpiry.ts); without it they end at their next frame or delivery. */
  expiryQueueUrl?: string;
  /** `AGORUSTA_RATE_LIMITS`: "off" turns the abuse limits off (load tests); anything else is "on". */
  rateLimits: "on" | "off";
  /** The Fanout Lambda that delivers large audiences in batches; without it, every post is made here. */
  fanoutFunction?: string;
  /** The app and stage (SST's, or APP_NAME/STAGE): tokens name them, so no other stage accepts them. */
  app: string;
  stage: string;
  /** The one origin browsers may call the API from (CORS): the stage's web app. None: same origin only. */
  webOrigin?: string;
  /** The bucket of attachments, avatars and icons; none for a function that has none linked. */
  bucketName?: string;
  /** The embedded S3-compatible store, when running outside AWS. */
  s3Endpoint?: string;
  /** The SQS queue new messages' pushes go to (push/queue.ts); without it nothing is pushed. */
  pushQueueUrl?: string;
  /** The stage's VAPID private key (base64url); without it push is not set up (its routes answer 404). */
  vapidPrivateKey?: string;
}

export class ConfigError extends Error {}

/**
 * Under SST (deployed or `sst dev`) the linked resources; anywhere else the environment:
 * TABLE_NAME, JWT_SECRET, and optionally WS_MANAGEMENT_ENDPOINT, DYNAMODB_ENDPOINT, BUCKET_NAME, S3_ENDPOINT, FANOUT_FUNCTION,
 * PURGE_QUEUE_URL, EXPIRY_QUEUE_URL, PUSH_QUEUE_URL and VAPID_PRIVATE_KEY.
 * Both read AGORUSTA_RATE_LIMITS from the environment (infra/functions.ts sets it per stage).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  const rateLimits = usageLimitsFrom(env.AGORUSTA_RATE_LIMITS) === "off" ? "off" : "on";
  // `in` never throws, unlike reading a missing key of sst's Resource.
  if (links.table in Resource) {
    const linked = Resource as unknown as LinkedResources & { App: { name: string; stage: string } };
    return {
      tableName: linked[links.table].name,
      jwtSecret: linked[links.jwtSecret].value,
      wsManagementEndpoint: linked[links.realtime].managementEndpoint,
      purgeQueueUrl: links.purgeQueue in Resource ? linked[links.purgeQueue].url : undefined,
      expiryQueueUrl: links.expiryQueue in Resource ? linked[links.expiryQueue].url : undefined,
      rateLimits,
      app: linked.App.name,
      stage: linked.App.stage,
      webOrigin: env.WEB_ORIGIN || undefined,
      // The Fanout Lambda is not linked to itself: a batch is delivered where it lands.
      ...(links.fanout in Resource ? { fanoutFunction: linked[links.fanout].name } : {}),
      bucketName: links.files in Resource ? linked[links.files].name : undefined,
      pushQueueUrl: links.pushQueue in Resource ? linked[links.pushQueue].url : undefined,
      vapidPrivateKey: links.vapidKey in Resource ? linked[links.vapidKey].value : undefined,
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
    purgeQueueUrl: env.PURGE_QUEUE_URL || undefined,
    expiryQueueUrl: env.EXPIRY_QUEUE_URL || undefined,
    rateLimits,
    app: env.APP_NAME || "agorusta",
    stage: env.STAGE || "local",
    webOrigin: env.WEB_ORIGIN || undefined,
    fanoutFunction: env.FANOUT_FUNCTION || undefined,
    bucketName: env.BUCKET_NAME || undefined,
    s3Endpoint: env.S3_ENDPOINT || undefined,
    pushQueueUrl: env.PUSH_QUEUE_URL || undefined,
    vapidPrivateKey: env.VAPID_PRIVATE_KEY || undefined,
  };
}

/**
 * Web Push as deployed: the stage's key, and only public `https:` endpoints. The VAPID subject
 * (who push services may contact) is the stage's web app, else a placeholder address.
 */
export function pushSetupOf(config: FunctionConfig): PushSetup | undefined {
  if (!config.vapidPrivateKey) return undefined;
  return { vapid: vapidKeysFrom(config.vapidPrivateKey, config.webOrigin?.startsWith("https://") ? config.webOrigin : "mailto:push@agorusta.invalid"), endpoints: "public" };
}

/**
 * The handlers' deps, built once per Lambda instance from `readConfig`. Region and credentials
 * for DynamoDB and `@connections` come from the SDK's usual sources (in Lambda, its role); the
 * client refuses what that Lambda's role is not granted, as IAM would.
 */
export function loadDeps(
  lambda: LambdaName,
  config: FunctionConfig = readConfig(),
  /** How the API Lambda reaches its bucket; the WebSocket Lambda passes none, and so bundles no S3 client. */
  openFiles?: (bucket: string, s3Endpoint: string | undefined) => FileStore,
): Deps {
  // The models are checked by every test run, not at each cold start (core model/modelChecks.ts).
  skipModelChecks();
  const dynamo = createDynamoClients(config.dynamoEndpoint ? localDynamoConfig(config.dynamoEndpoint) : {}, {
    allowedActions: dynamoActions[lambda],
  });
  const endpoint = config.wsManagementEndpoint;
  // The SQS and Lambda clients load at their first send (lambda/atFirstCall.ts): most requests send nothing.
  const fanoutFunction = config.fanoutFunction;
  const fanout = fanoutFunction ? atFirstCall<FanoutEngine>(async () => (await import("./lambda/awsQueues.ts")).lambdaFanout(fanoutFunction)) : undefined;
  const push = pushSetupOf(config);
  return createDeps({
    dynamo,
    tableName: config.tableName,
    jwtSecret: config.jwtSecret,
    jwt: jwtScope(config.app, config.stage),
    ...(config.webOrigin ? { webOrigin: config.webOrigin } : {}),
    files: config.bucketName && openFiles ? openFiles(config.bucketName, config.s3Endpoint) : undefined,
    publisher: endpoint ? (db) => createApiGatewayPublisher(db, { endpoint, ...(fanout ? { fanout } : {}) }) : undefined,
    purges: config.purgeQueueUrl ? () => atFirstCall<PurgeQueue>(async () => (await import("./lambda/awsQueues.ts")).sqsPurgeQueue(config.purgeQueueUrl!)) : undefined,
    expiries: config.expiryQueueUrl
      ? (db) => atFirstCall<ExpiryQueue>(async () => (await import("./lambda/awsQueues.ts")).sqsExpiryQueue(config.expiryQueueUrl!, db.clock))
      : undefined,
    pushes: config.pushQueueUrl ? () => atFirstCall<PushQueue>(async () => (await import("./lambda/awsQueues.ts")).sqsPushQueue(config.pushQueueUrl!)) : undefined,
    ...(push ? { push } : {}),
    usageLimits: usageLimitsFrom(config.rateLimits),
  });
}

/** The Fanout Lambda's publisher: the same deps, posting every batch it is given itself. */
export function loadPublisher(config: FunctionConfig = readConfig()): ApiGatewayPublisher {
  if (!config.wsManagementEndpoint) throw new ConfigError("The Fanout Lambda needs the WebSocket API's management endpoint.");
  skipModelChecks();
  const dynamo = createDynamoClients(config.dynamoEndpoint ? localDynamoConfig(config.dynamoEndpoint) : {}, {
    allowedActions: dynamoActions.fanout,
  });
  return createApiGatewayPublisher(createDb(dynamo.document, config.tableName), { endpoint: config.wsManagementEndpoint });
}

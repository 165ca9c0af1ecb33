/**
 * The deployed queues and the Fanout dispatcher: the only code of the Lambdas that needs the SDK's
 * SQS and Lambda clients. config.ts loads this module at the first send (lambda/atFirstCall.ts),
 * so with code splitting (infra/lambdas.ts) the clients are a chunk of their own that a cold start
 * whose requests send nothing never reads or compiles (docs/performance.md, "Bundles").
 */
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Clock } from "@agorusta/core/store";
import { channelOfJob } from "@agorusta/core/servers";
import { delayFor, type ExpiryQueue } from "../delivery/connectionExpiry.ts";
import type { FanoutEngine } from "../delivery/fanout.ts";
import type { PurgeQueue } from "../purge/queue.ts";
import type { PushQueue } from "../push/queue.ts";

/** One SQS message per slice to run; the consumer sends the next one while there is more. */
export function sqsPurgeQueue(queueUrl: string, client = new SQSClient({})): PurgeQueue {
  return {
    async enqueue(job) {
      const channelId = channelOfJob(job);
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(channelId ? { channelId } : { serverId: job }) }));
    },
  };
}

/** Deployed: one delayed SQS message per hop. */
export function sqsExpiryQueue(queueUrl: string, clock: Clock, client = new SQSClient({})): ExpiryQueue {
  return {
    async schedule(request) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request), DelaySeconds: delayFor(request, clock.now()) }),
      );
    },
  };
}

/** Deployed: one SQS message per new message. */
export function sqsPushQueue(queueUrl: string, client = new SQSClient({})): PushQueue {
  return {
    async enqueue(job) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }));
    },
  };
}

/** Deployed: one asynchronous invocation of the Fanout Lambda per batch (`InvocationType: Event`). */
export function lambdaFanout(functionName: string, client = new LambdaClient({})): FanoutEngine {
  return {
    async dispatch(batches) {
      await Promise.all(
        batches.map((batch) =>
          client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: JSON.stringify(batch) })),
        ),
      );
    },
  };
}

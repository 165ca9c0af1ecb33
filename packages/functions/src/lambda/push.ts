/**
 * The push queue's consumer (infra/push.ts): each message names a new message whose pushes to
 * decide and send (push/deliver.ts). Failures are reported per message, so SQS retries only
 * those; a retry pushes nobody twice (each recipient's receipt is claimed once).
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { ConfigError, loadDeps, pushSetupOf, readConfig } from "../config.ts";
import { deliverPush } from "../push/deliver.ts";
import { pushJobOf } from "../push/queue.ts";
import { createPushSender } from "../push/transport.ts";

// Built during the Lambda's init phase, once per instance.
const config = readConfig();
const setup = pushSetupOf(config);
if (!setup) throw new ConfigError("The push Lambda needs the stage's VapidPrivateKey secret (README, \"Push\").");
const deps = { ...loadDeps("push", config), sender: createPushSender(setup) };

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      const job = pushJobOf(record.body);
      if (!job) return console.error(`push: dropping a message that names no message: ${record.body.slice(0, 200)}`);
      try {
        await deliverPush(deps, job);
      } catch (e) {
        console.error(`push: message ${job.messageId} failed (SQS retries it):`, e);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}

/**
 * The push queue's consumer (infra/push.ts): each message names a new message whose pushes to
 * decide and send (push/deliver.ts). Failures are reported per message, so SQS retries only
 * those; a retry pushes nobody twice (each recipient's receipt is claimed once).
 */
import { ConfigError, loadDeps, pushSetupOf, readConfig } from "../config.ts";
import { deliverPush } from "../push/deliver.ts";
import { pushJobOf } from "../push/queue.ts";
import { createPushSender } from "../push/transport.ts";
import { sqsJobs } from "./sqsJobs.ts";

// Built during the Lambda's init phase, once per instance.
const config = readConfig();
const setup = pushSetupOf(config);
if (!setup) throw new ConfigError("The push Lambda needs the stage's VapidPrivateKey secret (README, \"Deploy\").");
const deps = { ...loadDeps("push", config), sender: createPushSender(setup) };

export const handler = sqsJobs("push", pushJobOf, (job) => `message ${job.messageId}`, (job) => deliverPush(deps, job));

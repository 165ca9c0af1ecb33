/**
 * `npm start`: DynamoDB Local and the embedded S3-compatible store (both persisted under
 * `.data/`, both on loopback only), the table and the bucket, and Agorusta on PORT.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { startDynamoLocal, JavaMissingError, JavaCompilerMissingError } from "./dynamoLocal.ts";
import { startS3Local } from "./s3Local.ts";
import { loadOrCreateSecret, ownerOnlyDir } from "./secret.ts";
import { startRuntime } from "./runtime.ts";
import { usageLimitsFrom } from "@agorusta/core/limits";
import { newVapidPrivateKey } from "@agorusta/functions/push/setup";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const dataDir = process.env.AGORUSTA_DATA_DIR ?? join(repoRoot, ".data");
const port = Number(process.env.PORT ?? 3000);

async function main() {
  ownerOnlyDir(dataDir);
  const dynamo = await startDynamoLocal({
    dataDir: join(dataDir, "dynamodb"),
    // Killed or out of memory, it comes back on the same port and data; meanwhile /api/health is 503.
    supervise: {
      onRestart: (_, exit) =>
        console.error(`DynamoDB Local ${exit.outOfMemory ? "ran out of memory" : "stopped unexpectedly"} and was started again on the same data.`),
      onGiveUp: (e) => {
        console.error(e.message);
        void stop(1);
      },
    },
  });
  const s3 = await startS3Local({ dataDir: join(dataDir, "s3") });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await runtime?.close().catch(() => {});
    await Promise.all([dynamo.stop(), s3.stop()]);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGHUP", () => void stop(0));

  let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
  try {
    runtime = await startRuntime({
      dynamoEndpoint: dynamo.endpoint,
      tableName: process.env.AGORUSTA_TABLE ?? "agorusta",
      jwtSecret: process.env.JWT_SECRET ?? loadOrCreateSecret(join(dataDir, "jwt-secret")),
      s3,
      bucket: process.env.AGORUSTA_BUCKET ?? "agorusta",
      port,
      hostname: process.env.HOST ?? "127.0.0.1",
      webRoot: join(repoRoot, "packages/web/build"),
      usageLimits: usageLimitsFrom(process.env.AGORUSTA_RATE_LIMITS),
      // Web Push's VAPID key: made on first start and kept, so browsers' subscriptions survive restarts.
      vapidPrivateKey: loadOrCreateSecret(join(dataDir, "vapid-private-key"), newVapidPrivateKey),
    });
  } catch (e) {
    console.error(e);
    await stop(1);
    return;
  }
  console.log(`Agorusta is running at http://localhost:${runtime.port}/ (API at /api, data in ${dataDir})`);
  if (process.env.AGORUSTA_RATE_LIMITS && usageLimitsFrom(process.env.AGORUSTA_RATE_LIMITS) === "off") console.log("AGORUSTA_RATE_LIMITS=off: the abuse limits are off (the brute-force limits still hold).");
}

main().catch((e) => {
  if (e instanceof JavaMissingError || e instanceof JavaCompilerMissingError) console.error(e.message);
  else console.error(e);
  process.exit(1);
});

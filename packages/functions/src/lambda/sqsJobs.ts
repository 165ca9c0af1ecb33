/**
 * An SQS consumer whose messages each name one job, run in parallel: a message that names none
 * is logged and dropped (a retry could not mend it), a job that throws is reported as that
 * message's failure (partial batch responses), so SQS retries only it. The expiry and push
 * consumers are this with their own parsing and job.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export function sqsJobs<J>(what: string, parse: (body: string) => J | null, name: (job: J) => string, run: (job: J) => Promise<unknown>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const job = parse(record.body);
        if (job === null) return console.error(`${what}: dropping a message that names nothing to do: ${record.body.slice(0, 200)}`);
        try {
          await run(job);
        } catch (e) {
          console.error(`${what}: ${name(job)} failed (SQS retries it):`, e);
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    return { batchItemFailures };
  };
}

/**
 * Reads that separate parts of one request send in one BatchGetItem, passed as a value to each
 * part that joins it, so what a request costs is read off its code: who makes the batch, who
 * joins it and who sends it are each a visible call. A channel send is the case: its handler
 * makes a batch, the publisher's audience lookup joins the audience tokens to it
 * (realtime/audiences.ts), and the send's authorization reads carry them (`readTogether` with
 * `batch`). Joining a batch that has already gone out is a mistake in the caller's order and
 * throws: it would otherwise cost a request that nobody sees.
 *
 * (The session check of a signed-in request is not one of these: it must go out with whatever
 * the request's first call is, which only the DynamoDB client sees; store/requestScope.ts.)
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ItemRead } from "./batchGet.ts";
import { deferRead, sendDeferred, type Pending } from "./requestScope.ts";

export class ReadBatch {
  #reads: Pending[] = [];
  #closed = false;

  /** Adds `read` to the batch; its item (null: missing) once the batch has been sent. */
  join<T>(read: ItemRead<T>, options: { consistent?: boolean } = {}): Promise<T | null> {
    if (this.#closed) throw new Error("ReadBatch: a read joined after its batch was sent; join it before the request that sends it starts");
    const { result, pending } = deferRead(read, options.consistent ?? false);
    this.#reads.push(pending);
    return result;
  }

  /** The joined reads, now the sender's to send and settle (`readTogether`); the batch takes no more. */
  take(): Pending[] {
    this.#closed = true;
    return this.#reads.splice(0);
  }

  /** Sends what no request took (one that failed before its first read) on its own, so every joined read settles. */
  flush(client: DynamoDBDocumentClient): void {
    const left = this.take();
    if (left.length) sendDeferred(client, left);
  }
}

/**
 * Deletes many items with BatchWriteItem (ElectroDB splits them into requests of 25), retrying
 * what DynamoDB leaves unprocessed under load, with backoff.
 */
export async function deleteEach<K>(
  keys: K[],
  remove: (keys: K[]) => Promise<{ unprocessed: K[] }>,
  attempts = 5,
): Promise<void> {
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > attempts) throw new Error(`${pending.length} items left unprocessed after ${attempts} batch deletes`);
    ({ unprocessed: pending } = await remove(pending));
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
  }
}

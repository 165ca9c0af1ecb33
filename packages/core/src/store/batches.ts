/**
 * BatchWriteItem / BatchGetItem through ElectroDB (which splits them into requests of 25 and
 * 100 keys), retrying what DynamoDB leaves unprocessed under load, with backoff.
 */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));

async function eachBatch<K, T>(
  what: string,
  keys: K[],
  run: (keys: K[]) => Promise<{ data?: T[]; unprocessed: K[] }>,
  attempts: number,
): Promise<T[]> {
  const found: T[] = [];
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > attempts) throw new Error(`${pending.length} ${what} left unprocessed after ${attempts} batches`);
    if (attempt > 1) await backoff(attempt);
    const { data, unprocessed } = await run(pending);
    if (data) found.push(...data);
    pending = unprocessed;
  }
  return found;
}

export const deleteEach = <K>(keys: K[], remove: (keys: K[]) => Promise<{ unprocessed: K[] }>, attempts = 5): Promise<void> =>
  eachBatch("deletes", keys, remove, attempts).then(() => undefined);

/** Puts whose unprocessed keys `put` can write again (it rebuilds each item from its key). */
export const putEach = <K>(keys: K[], put: (keys: K[]) => Promise<{ unprocessed: K[] }>, attempts = 5): Promise<void> =>
  eachBatch("writes", keys, put, attempts).then(() => undefined);

export const getEach = <K, T>(keys: K[], get: (keys: K[]) => Promise<{ data: T[]; unprocessed: K[] }>, attempts = 5): Promise<T[]> =>
  eachBatch("reads", keys, get, attempts);

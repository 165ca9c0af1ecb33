/**
 * `work` for each item, at most `limit` under way at once, the results in the items' order:
 * many independent requests in parallel without opening a socket (and a request) per item at once.
 */
export async function mapAtMost<T, R>(limit: number, items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Server partitions one request reads at once when it reads all of a person's (their servers'
 * details, their read states): 300 servers are 10 round trips, and one process's 50 sockets to
 * DynamoDB are not all taken by one request.
 */
export const PARTITION_READS_AT_ONCE = 32;

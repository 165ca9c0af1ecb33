/**
 * How long a send may stay "sending" before it shows as failed with a retry. A request the
 * network swallowed can hang for minutes; the retry carries the same nonce, so if the first
 * try was stored after all the API answers with that message and nothing posts twice.
 */
export const SEND_TIMEOUT_MS = 15_000;

export const sendTimeout = () => ({ init: { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) } });

import { randomBytes } from "node:crypto";
import { incrementBase32, monotonicFactory, ulid } from "ulid";

/** Monotonic within a process, so two messages in one millisecond still sort in send order. */
export const newId: () => string = monotonicFactory();

/**
 * A message id that sorts after `previous`, the conversation's newest: a ULID of `now` when that
 * is later, else `previous` plus one. The send transaction is conditioned on the conversation's
 * sequence, so ids within a conversation grow in commit order whatever the writer's clock says
 * (a Lambda whose clock lags still never files a message before one already there).
 */
export function idAfter(previous: string | null | undefined, now: number): string {
  const fresh = ulid(now);
  return !previous || fresh > previous ? fresh : incrementBase32(previous);
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 10 characters of [A-Za-z0-9] from the CSPRNG (rejection sampling keeps it unbiased): ~59 bits. */
export function newInviteCode(length = 10): string {
  let code = "";
  while (code.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && code.length < length) code += alphabet[byte % 62];
    }
  }
  return code;
}

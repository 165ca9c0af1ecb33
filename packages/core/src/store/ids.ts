import { randomBytes } from "node:crypto";
import { monotonicFactory } from "ulid";

/** Monotonic within a process, so two messages in one millisecond still sort in send order. */
export const newId: () => string = monotonicFactory();

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

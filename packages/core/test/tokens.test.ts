/** The JWT check, which remembers the tokens it has verified (auth/tokens.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokens } from "../src/auth/tokens.ts";

const secret = "a-test-secret-of-at-least-32-characters";
const claims = (expiresAt: number) => ({ userId: "u1", sessionId: "s1", expiresAt });
const now = () => Math.floor(Date.now() / 1000);

afterEach(() => vi.useRealTimers());

describe("a verified token", () => {
  it("is known again without its signature checked, and still expires at its exp", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const tokens = createTokens(secret);
    const token = await tokens.issue(claims(now() + 60));
    expect(await tokens.verify(token)).toEqual(claims(now() + 60));
    expect(await tokens.verify(token)).toEqual(claims(now() + 60));
    vi.setSystemTime(Date.now() + 61_000);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("lets nothing else in: a token changed in its signature, or signed by another secret, is refused after the real one passed", async () => {
    const tokens = createTokens(secret);
    const token = await tokens.issue(claims(now() + 3600));
    await tokens.verify(token);
    // The signature's first character, not its last: the last of 43 base64url characters holds
    // 4 bits of the 32 bytes and 2 unused ones, so some changes to it decode to the same
    // signature (the same token, spelt otherwise: accepted, rightly; 1 run in 16 chose one).
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const changed = `${header}.${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    await expect(tokens.verify(changed)).rejects.toMatchObject({ code: "unauthorized" });
    const forged = await createTokens(`${secret}-another`).issue(claims(now() + 3600));
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("is remembered by the process that verified it only: another stage's check (another secret) refuses it", async () => {
    const token = await createTokens(secret).issue(claims(now() + 3600));
    await expect(createTokens(`${secret}-stage-2`).verify(token)).rejects.toMatchObject({ code: "unauthorized" });
  });
});

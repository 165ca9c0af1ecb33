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

  it("lets nothing else in: a token changed in its last character, or signed by another secret, is refused after the real one passed", async () => {
    const tokens = createTokens(secret);
    const token = await tokens.issue(claims(now() + 3600));
    await tokens.verify(token);
    const changed = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    await expect(tokens.verify(changed)).rejects.toMatchObject({ code: "unauthorized" });
    const forged = await createTokens(`${secret}-another`).issue(claims(now() + 3600));
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("is remembered by the process that verified it only: another stage's check (another secret) refuses it", async () => {
    const token = await createTokens(secret).issue(claims(now() + 3600));
    await expect(createTokens(`${secret}-stage-2`).verify(token)).rejects.toMatchObject({ code: "unauthorized" });
  });
});

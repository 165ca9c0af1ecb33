import type * as v from "valibot";
import type { Db, UniqueKind, UserItem } from "../model/index.ts";
import type { loginBody, registerBody } from "../schemas.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { foldCase } from "../store/keys.ts";
import { decoyHash, hashPassword, verifyPassword } from "../auth/passwordHashing.ts";
import { assertCommitted, isConditionalFailure, transact } from "../store/transactions.ts";
import { getEach } from "../store/batches.ts";
import { newSession } from "../auth/sessions.ts";
import type { TokenClaims } from "../auth/tokens.ts";

/**
 * Creates the account and its first session. The guards are read first (one BatchGetItem), so
 * a taken email or username is refused before any argon2 work; the transaction still decides:
 * of two racing claims of one name exactly one commits.
 */
export async function register(
  db: Db,
  input: v.InferOutput<typeof registerBody>,
): Promise<{ user: UserItem; session: TokenClaims }> {
  const emailGuard: { kind: UniqueKind; value: string } = { kind: "email", value: foldCase(input.email) };
  const usernameGuard: { kind: UniqueKind; value: string } = { kind: "username", value: foldCase(input.username) };
  const taken = await getEach([emailGuard, usernameGuard], (keys) => db.entities.uniques.get(keys).go({ attributes: ["kind"] }));
  if (taken.some((g) => g.kind === "email")) throw new AppError("email_taken");
  if (taken.some((g) => g.kind === "username")) throw new AppError("username_taken");
  const user: UserItem = {
    userId: newId(),
    email: input.email,
    username: input.username,
    passwordHash: await hashPassword(input.password),
    createdAt: nowIso(db.clock),
  };
  const session = newSession(user.userId, db.clock.now());
  const refused = await transact(db, ({ uniques, users, sessions }) => ({
    emailGuard: uniques.create({ ...emailGuard, holderId: user.userId }).commit(),
    usernameGuard: uniques.create({ ...usernameGuard, holderId: user.userId }).commit(),
    user: users.create(user).commit(),
    session: sessions.create(session.item).commit(),
  }));
  if (refused.has("emailGuard")) throw new AppError("email_taken");
  if (refused.has("usernameGuard")) throw new AppError("username_taken");
  assertCommitted(refused, "register");
  return { user, session: session.claims };
}

/** The user for these credentials; one answer for a wrong email and a wrong password, in the same time. */
export async function authenticate(db: Db, input: v.InferOutput<typeof loginBody>): Promise<UserItem> {
  const emailKey = foldCase(input.email);
  // Registered emails are at most 254 ASCII characters; a longer folded form names no account,
  // and as a key it could pass DynamoDB's 2 KB limit (NFKC makes "ﷺ" 18 letters).
  const guard = emailKey.length <= 254 ? await db.entities.uniques.get({ kind: "email", value: emailKey }).go() : { data: null };
  const user = guard.data ? (await db.entities.users.get({ userId: guard.data.holderId }).go()).data : null;
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  if (!user || !ok) throw new AppError("invalid_credentials");
  return user;
}

export async function getUser(db: Db, userId: string): Promise<UserItem> {
  const { data } = await db.entities.users.get({ userId }).go();
  // A valid token for a user who no longer exists is as good as no token.
  if (!data) throw new AppError("unauthorized");
  return data;
}

/**
 * Replaces the password once the current one is checked. The write is conditional on the hash
 * that was checked, so two changes racing each other cannot both pass on the same old password.
 * The caller then ends every session (auth/sessions.ts) and opens the one it answers with.
 */
export async function changePassword(db: Db, userId: string, input: { currentPassword: string; newPassword: string }): Promise<UserItem> {
  const user = await getUser(db, userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw new AppError("invalid_credentials", "Your current password is not right.");
  const passwordHash = await hashPassword(input.newPassword);
  try {
    await db.entities.users.patch({ userId }).set({ passwordHash }).where((a, op) => op.eq(a.passwordHash, user.passwordHash)).go();
  } catch (e) {
    if (isConditionalFailure(e)) throw new AppError("invalid_credentials", "Your password was changed meanwhile. Sign in again.");
    throw e;
  }
  return { ...user, passwordHash };
}

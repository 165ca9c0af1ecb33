import type * as v from "valibot";
import type { Db, UserItem } from "../model/index.ts";
import type { loginBody, registerBody } from "../schemas.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { foldCase } from "../store/keys.ts";
import { decoyHash, hashPassword, verifyPassword } from "../auth/passwordHashing.ts";
import { assertCommitted, transact } from "../store/transactions.ts";

/** Creates the account; the email and username guards make a second claim fail in the database. */
export async function register(db: Db, input: v.InferOutput<typeof registerBody>): Promise<UserItem> {
  const usernameLower = foldCase(input.username);
  const user: UserItem = {
    userId: newId(),
    email: input.email,
    username: input.username,
    usernameLower,
    usernameInitial: usernameLower.slice(0, 1),
    passwordHash: await hashPassword(input.password),
    createdAt: nowIso(),
  };
  const refused = await transact(db, ({ uniques, users }) => ({
    emailGuard: uniques.create({ kind: "email", value: foldCase(input.email), holderId: user.userId }).commit(),
    usernameGuard: uniques.create({ kind: "username", value: usernameLower, holderId: user.userId }).commit(),
    user: users.create(user).commit(),
  }));
  if (refused.has("emailGuard")) throw new AppError("email_taken");
  if (refused.has("usernameGuard")) throw new AppError("username_taken");
  assertCommitted(refused, "register");
  return user;
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

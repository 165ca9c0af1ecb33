import { newId } from "@agorusta/core/store";
import { foldCase } from "@agorusta/core/store";
import { newSession } from "@agorusta/core/auth";
import type { Deps } from "@agorusta/functions/deps";

/**
 * A user written straight into the table, with a token: for tests that need many users and
 * are not about registration (each registration spends ~100 ms hashing a password).
 */
export async function insertUser(deps: Deps, username: string, userId = newId()) {
  const usernameLower = foldCase(username);
  const user = {
    userId, username, usernameLower, usernameInitial: usernameLower.slice(0, 1),
    email: `${usernameLower}@example.com`, passwordHash: "not a hash: this user never logs in", createdAt: new Date().toISOString(),
  };
  const session = newSession(userId, deps.db.clock.now());
  await Promise.all([deps.db.entities.users.create(user).go(), deps.db.entities.sessions.create(session.item).go()]);
  return { id: userId, username, email: user.email, createdAt: user.createdAt, token: await deps.tokens.issue(session.claims) };
}

/**
 * Web Push subscriptions (api.md "Web Push"): at most 20 per user, counted on the user item by
 * the very transactions that add and remove them (the cap is that count's condition), each
 * remembered with the session that registered it, so ending a session ends its subscriptions.
 */
import { createHash } from "node:crypto";
import type { Db, PushSubscriptionItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { isConditionalFailure, transact } from "../store/transactions.ts";
import { nowIso } from "../store/time.ts";
import { requireAllowedEndpoint, type EndpointPolicy } from "./endpoints.ts";

export const MAX_PUSH_SUBSCRIPTIONS = 20;

export const endpointHashOf = (endpoint: string) => createHash("sha256").update(endpoint).digest("base64url");

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * `POST /push/subscriptions`: `created` false when this endpoint was already the user's (its keys
 * and session are brought up to date: a browser re-subscribing after a sign-in hands the same
 * endpoint to the new session). 400 for an endpoint the server may not post to; 409
 * `limit_reached` past 20.
 */
export async function addPushSubscription(
  db: Db,
  owner: { userId: string; sessionId: string },
  input: PushSubscriptionInput,
  policy: EndpointPolicy,
): Promise<{ created: boolean }> {
  requireAllowedEndpoint(input.endpoint, policy);
  const { userId, sessionId } = owner;
  const endpointHash = endpointHashOf(input.endpoint);
  const keys = { p256dh: input.keys.p256dh, auth: input.keys.auth, sessionId };
  try {
    await db.entities.pushSubscriptions
      .patch({ userId, endpointHash })
      .set(keys)
      .where((a, op) => op.eq(a.endpoint, input.endpoint))
      .go({ response: "none" });
    return { created: false };
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
  }
  const refused = await transact(db, ({ users, pushSubscriptions }) => ({
    count: users
      .patch({ userId })
      .add({ pushSubscriptionCount: 1 })
      .where((a, op) => `${op.notExists(a.pushSubscriptionCount)} OR ${op.lt(a.pushSubscriptionCount, MAX_PUSH_SUBSCRIPTIONS)}`)
      .commit(),
    subscription: pushSubscriptions
      .create({ userId, endpointHash, endpoint: input.endpoint, ...keys, createdAt: nowIso(db.clock) })
      .commit(),
  }));
  // Created meanwhile by a concurrent request of the same browser: it is there either way.
  if (refused.has("subscription")) return { created: false };
  if (refused.has("count")) {
    throw new AppError("limit_reached", `At most ${MAX_PUSH_SUBSCRIPTIONS} push subscriptions per account: remove one (sign out an old device) first.`);
  }
  return { created: true };
}

/**
 * Deletes one subscription and uncounts it, together, on the condition that it is there (so of
 * a DELETE and a 410 racing, one uncounts it). Idempotent: true if this call deleted it.
 */
export async function removePushSubscription(db: Db, userId: string, endpointHash: string): Promise<boolean> {
  const refused = await transact(db, ({ users, pushSubscriptions }) => ({
    subscription: pushSubscriptions.delete({ userId, endpointHash }).where((a, op) => op.exists(a.endpoint)).commit(),
    count: users.patch({ userId }).subtract({ pushSubscriptionCount: 1 }).where((a, op) => op.gt(a.pushSubscriptionCount, 0)).commit(),
  }));
  return refused.size === 0;
}

/** The user's subscriptions, read strongly (a sign-out must miss none). */
export async function pushSubscriptionsOf(db: Db, userId: string): Promise<PushSubscriptionItem[]> {
  const { data } = await db.entities.pushSubscriptions.query.byUser({ userId }).go({ pages: "all", consistent: true });
  return data;
}

/**
 * Ends the subscriptions registered with this session (sign-out), or with any (sign-out
 * everywhere, a password change): a device signed out must not keep receiving the account's
 * messages. One Query of the user's partition, then one transaction per subscription (at most 20).
 */
export async function endPushSubscriptions(db: Db, userId: string, sessionId?: string): Promise<void> {
  const subscriptions = await pushSubscriptionsOf(db, userId);
  await Promise.all(
    subscriptions.filter((s) => sessionId === undefined || s.sessionId === sessionId).map((s) => removePushSubscription(db, userId, s.endpointHash)),
  );
}

/**
 * One new message's pushes: who gets one and what it says (core/notifications/recipients.ts),
 * then, for each of them once (the receipt's condition), a push to each of their subscriptions,
 * in parallel. A subscription the push service answers 404 or 410 for is deleted. Run by the push
 * queue's consumer Lambda deployed, by the in-process worker locally.
 */
import type { Db } from "@agorusta/core";
import { claimPush, planPush, pushSubscriptionsOf, removePushSubscription, type PushJob } from "@agorusta/core/notifications";
import type { PushSender } from "./transport.ts";

export interface PushReport {
  sent: number;
  gone: number;
  failed: number;
}

export async function deliverPush(deps: { db: Db; sender: PushSender }, job: PushJob): Promise<PushReport> {
  const { db, sender } = deps;
  const report: PushReport = { sent: 0, gone: 0, failed: 0 };
  const plan = await planPush(db, job);
  if (!plan) return report;
  await Promise.all(
    plan.userIds.map(async (userId) => {
      if (!(await claimPush(db, userId, job.messageId))) return;
      const subscriptions = await pushSubscriptionsOf(db, userId);
      await Promise.all(
        subscriptions.map(async (s) => {
          const outcome = await sender.send(s, plan.payload);
          report[outcome]++;
          if (outcome === "gone") await removePushSubscription(db, userId, s.endpointHash);
        }),
      );
    }),
  );
  return report;
}

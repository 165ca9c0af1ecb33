import { AppError, type Publisher } from "@agorusta/core";
import { connectionsOfUser } from "@agorusta/core/realtime";
import type { Deps } from "../deps.ts";

/**
 * Closes the WebSocket connections of an ended session (or of every session of the user) through
 * `@connections`: a socket must not outlive the token it was opened with.
 */
export async function closeConnectionsOf(deps: Deps, userId: string, sessionId?: string): Promise<void> {
  const ids = await connectionsOfUser(deps.db, userId, sessionId);
  if (ids.length) await deps.publisher.disconnect(ids);
}

/**
 * Tells each of these connections that its session has ended (an `unauthorized` error frame, on
 * which the web app signs out) and closes it: a token that expired, or a session found ended at a
 * frame. The frame is posted before the close, so it arrives first.
 */
export async function closeEndedSessions(publisher: Publisher, connectionIds: readonly string[]): Promise<void> {
  const ended = new AppError("unauthorized", "Your session has ended. Sign in again.");
  await Promise.all(connectionIds.map((id) => publisher.toConnection(id, { type: "error", code: ended.code, message: ended.message })));
  await publisher.disconnect(connectionIds);
}

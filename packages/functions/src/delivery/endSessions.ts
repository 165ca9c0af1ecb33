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

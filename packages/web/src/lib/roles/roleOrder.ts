/**
 * Reordering roles (api.md: `PATCH /servers/:id/roles` with `[{id, position}]`; positions stay
 * 0..n-1, `@everyone` at 0). The settings list shows the highest first, as Discord does; a drag
 * there becomes new positions here. Pure, no Svelte.
 */
import type { ServerRole } from "@agorusta/core/views";

/**
 * The positions after moving `movedId` to `position` (1 at the lowest above `@everyone`), for
 * every role whose position changes; null if nothing does or the move is not allowed: `@everyone`
 * never moves, and no role may end up at or above `rank` (the caller's) or be one of those.
 */
export function moveRole(roles: readonly ServerRole[], movedId: string, position: number, rank: number): { id: string; position: number }[] | null {
  const ordered = [...roles].sort((a, b) => a.position - b.position);
  const everyone = ordered[0];
  const moved = ordered.find((r) => r.id === movedId);
  if (!moved || !everyone || moved.id === everyone.id) return null;
  const target = Math.max(1, Math.min(position, ordered.length - 1));
  const rest = ordered.filter((r) => r.id !== movedId);
  const next = [...rest.slice(0, target), moved, ...rest.slice(target)];
  const changed = next.flatMap((r, i) => (r.position === i ? [] : [{ id: r.id, position: i }]));
  if (changed.length === 0) return null;
  // Every role that moves is below the caller before and after (the API refuses anything else).
  const before = new Map(ordered.map((r) => [r.id, r.position]));
  if (changed.some((c) => c.position >= rank || before.get(c.id)! >= rank)) return null;
  return changed;
}

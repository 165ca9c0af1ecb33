/**
 * A server's member list, as plain data: the API's order (owner first, then by username) kept
 * while members join, leave and come and go online. No Svelte: the unit tests import it directly.
 */
import type { Member } from "@agorusta/core/views";
import { compareRoster } from "@agorusta/core/permissions";
import { pageLimits } from "@agorusta/core/schemas";

/** `GET /servers/:id/members` answers at most this many at a time: the list asks for that many. */
export const MEMBERS_PAGE = pageLimits.members;

/** The API's order, as core defines it for the roster index. */
const byRoster = (a: Member, b: Member) => compareRoster({ role: a.role, username: a.user.username }, { role: b.role, username: b.user.username });

/**
 * Puts a member who joined in their place. With pages still to load, one who sorts after the
 * last loaded member is left for those pages to bring, in order.
 */
export function placeMember(list: readonly Member[], member: Member, complete: boolean): Member[] {
  const others = list.filter((m) => m.user.id !== member.user.id);
  const at = others.findIndex((m) => byRoster(m, member) > 0);
  if (at === -1) return complete ? [...others, member] : others;
  return [...others.slice(0, at), member, ...others.slice(at)];
}

export const withoutMember = (list: readonly Member[], userId: string): Member[] => list.filter((m) => m.user.id !== userId);

export const withPresence = (list: readonly Member[], userId: string, online: boolean): Member[] =>
  list.some((m) => m.user.id === userId && m.online !== online)
    ? list.map((m) => (m.user.id === userId ? { ...m, online } : m))
    : (list as Member[]);

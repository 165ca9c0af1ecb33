/**
 * A server's member list, as plain data: the API's order (owner first, then by username) kept
 * while members join, leave and come and go online. No Svelte: the unit tests import it directly.
 */
import type { Member } from "@agorusta/core/views";

/** `GET /servers/:id/members` answers at most this many at a time. */
export const MEMBERS_PAGE = 100;

/** The API's order. Usernames are ASCII (`[A-Za-z0-9_.-]`), so lower-casing is its folding. */
const rank = (m: Member) => `${m.role === "owner" ? 0 : 1}${m.user.username.toLowerCase()}`;

/**
 * Puts a member who joined in their place. With pages still to load, one who sorts after the
 * last loaded member is left for those pages to bring, in order.
 */
export function placeMember(list: readonly Member[], member: Member, complete: boolean): Member[] {
  const others = list.filter((m) => m.user.id !== member.user.id);
  const key = rank(member);
  const at = others.findIndex((m) => rank(m) > key);
  if (at === -1) return complete ? [...others, member] : others;
  return [...others.slice(0, at), member, ...others.slice(at)];
}

export const withoutMember = (list: readonly Member[], userId: string): Member[] => list.filter((m) => m.user.id !== userId);

export const withPresence = (list: readonly Member[], userId: string, online: boolean): Member[] =>
  list.some((m) => m.user.id === userId && m.online !== online)
    ? list.map((m) => (m.user.id === userId ? { ...m, online } : m))
    : (list as Member[]);

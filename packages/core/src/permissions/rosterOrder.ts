/**
 * The roster's order, defined once: highest rank first, then by username, case aside. It is the
 * order of the members entity's roster index (whose sort key is `rosterPlaceOf`'s two parts), and
 * the web app keeps a live member list in it, so the two cannot drift apart. Pure and free of
 * Node, like the policy: the web app imports it.
 */
import type { Role } from "./policy.ts";
import { rosterRankOf } from "./policy.ts";

/** The part of a member the order reads. */
export interface RosterEntry {
  role: Role;
  username: string;
}

/**
 * Where a member stands: the roster index's sort key (`roleRank`, `usernameLower`). Usernames are
 * ASCII (`[A-Za-z0-9_.-]`, schemas.ts), so lower-casing is their whole case folding.
 */
export const rosterPlaceOf = (m: RosterEntry) => ({ roleRank: rosterRankOf(m), usernameLower: m.username.toLowerCase() });

/**
 * Sorts as DynamoDB sorts the roster index: rank, then lower-cased username, each compared as
 * strings (both hold only characters above the composite key's `#` separator, so comparing the
 * parts one by one is comparing the key).
 */
export function compareRoster(a: RosterEntry, b: RosterEntry): number {
  const [x, y] = [rosterPlaceOf(a), rosterPlaceOf(b)];
  return order(x.roleRank, y.roleRank) || order(x.usernameLower, y.usernameLower);
}

const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

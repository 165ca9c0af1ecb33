/**
 * The member list's groups with roles (Discord's "hoisted" roles): each member under their
 * highest role shown apart, highest role first; everyone else stays in the list's other sections.
 * Pure, no Svelte: the list keeps its order inside each group.
 */
import type { Member, ServerDetail, ServerRole } from "@agorusta/core/views";
import { hoistOf, rolesOf } from "./grants.ts";

export interface RoleGroup {
  role: ServerRole;
  members: Member[];
}

export function hoistedGroups(detail: Pick<ServerDetail, "roles">, members: readonly Member[]): { groups: RoleGroup[]; rest: Member[] } {
  const byRole = new Map<string, Member[]>();
  const rest: Member[] = [];
  for (const member of members) {
    const role = hoistOf(detail, member);
    if (role) byRole.set(role.id, [...(byRole.get(role.id) ?? []), member]);
    else rest.push(member);
  }
  const groups = rolesOf(detail)
    .reverse()
    .flatMap((role) => (byRole.has(role.id) ? [{ role, members: byRole.get(role.id)! }] : []));
  return { groups, rest };
}

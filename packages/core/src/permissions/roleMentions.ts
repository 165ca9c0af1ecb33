/**
 * Role mentions (api.md "Role mentions"): which roles a message's `@rolename` names. Pure and
 * free of Node, so the web app finds the same roles the API found (to offer and to highlight).
 *
 * A role's name may hold spaces and punctuation (1–100 characters), so a mention is not a token:
 * at each `@` that starts a mention (as for `@username`: not right after a username's character),
 * the LONGEST role name the text there spells, compared without case (NFKC, then lower case),
 * is the role mentioned; a name ending in a letter, digit or `_` must not run on into one
 * ("@mods" does not name "mod"; "@mod team" names "mod team" over "mod"). `@everyone` is not a
 * role mention (that is `mentionsEveryone`): the `@everyone` role (its id the server's) is skipped.
 */

/** What a role mention needs of a role. */
export interface MentionableRole {
  id: string;
  name: string;
  mentionable?: boolean | undefined;
}

const fold = (s: string) => s.normalize("NFKC").toLowerCase();
// Where a mention may start, and which last characters need a boundary after them.
const USERNAME_CHAR = /[A-Za-z0-9_.-]/;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** A role as matching needs it, longest names first (`roleCandidates`). */
export interface RoleCandidate {
  id: string;
  length: number;
  folded: string;
  bounded: boolean;
}

/** The roles that may be matched, longest name first: all but `@everyone`, and only `mentionable` ones unless `anyRole`. */
export function roleCandidates(roles: readonly MentionableRole[], serverId: string, anyRole: boolean): RoleCandidate[] {
  return roles
    .filter((r) => r.id !== serverId && (anyRole || r.mentionable === true) && r.name.length > 0)
    .map((r) => ({ id: r.id, length: r.name.length, folded: fold(r.name), bounded: WORD_CHAR.test(r.name.at(-1)!) }))
    .sort((a, b) => b.length - a.length);
}

/** The role the `@` at `at` mentions (the longest name spelled there), if it starts a mention and names one. */
export function roleMentionAt(content: string, at: number, candidates: readonly RoleCandidate[]): RoleCandidate | null {
  if (content[at] !== "@" || (at > 0 && USERNAME_CHAR.test(content[at - 1]!))) return null;
  const rest = at + 1;
  return (
    candidates.find((c) => fold(content.slice(rest, rest + c.length)) === c.folded && !(c.bounded && WORD_CHAR.test(content[rest + c.length] ?? ""))) ??
    null
  );
}

/**
 * The ids of the roles the content mentions, in order of first mention. `anyRole`: the author has
 * `MENTION_EVERYONE` here, so roles that are not `mentionable` count too; otherwise only those.
 */
export function mentionedRoleIds(content: string, roles: readonly MentionableRole[], serverId: string, anyRole: boolean): string[] {
  const candidates = roleCandidates(roles, serverId, anyRole);
  if (!candidates.length) return [];
  const found = new Set<string>();
  for (let at = content.indexOf("@"); at !== -1; at = content.indexOf("@", at + 1)) {
    const role = roleMentionAt(content, at, candidates);
    if (role) found.add(role.id);
  }
  return [...found];
}

import type { Stores } from "../attachments/files.ts";
import { imageUrlOf } from "../attachments/files.ts";
import { foldCase } from "../store/keys.ts";
import { userView, type User } from "../views.ts";

const SEARCH_RESULTS = 20;

/** What a folded username can contain (api.md "Rules"); a prefix with anything else matches nobody. */
const usernameCharacters = /^[a-z0-9_.-]+$/;

/**
 * Users whose username starts with `q`, case-insensitively, in username order, never the
 * caller. One Query on the prefix index: its partition is the first folded character, its
 * sort key the folded username, so a prefix is a `begins_with` on one partition.
 */
export async function searchUsers({ db, files }: Stores, callerId: string, q: string): Promise<User[]> {
  const prefix = foldCase(q);
  if (!usernameCharacters.test(prefix)) return [];
  const { data } = await db.entities.users.query
    .byUsernamePrefix({ usernameInitial: prefix.slice(0, 1) })
    .begins({ usernameLower: prefix })
    // One more than a page, in case the caller is among them; read only the public fields.
    .go({ limit: SEARCH_RESULTS + 1, attributes: ["userId", "username", "createdAt", "avatarKey"] });
  const found = data.filter((u) => u.userId !== callerId).slice(0, SEARCH_RESULTS);
  return Promise.all(found.map(async (u) => userView(u, await imageUrlOf(files, u.avatarKey))));
}

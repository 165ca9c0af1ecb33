import { can, type PermissionName } from "@agorusta/core/permissions";
import { directory } from "#lib/directory.svelte.ts";
import { SETTINGS } from "#lib/serverSettings.ts";
import { session } from "#lib/session.svelte.ts";
import { fetchBans, fetchInvites, fetchPasswords } from "./lists.ts";
import type { PageLoad } from "./$types";

/**
 * The page's lists, as promises the page shows while they come (it has the server's details at
 * once, from its layout). Each is fetched once the stored token is checked, and only for someone
 * signed in who may manage it: the page shows its card to no one else, so for them it is empty
 * without a request.
 */
export const load: PageLoad = ({ params }) => {
  const { serverId } = params;
  const ifAllowed = <T>(action: PermissionName, fetch: () => Promise<T[]>): Promise<T[]> =>
    handled(
      session.settled().then(async (status) => (status === "signedIn" && can(await directory.detail(serverId), action) ? fetch() : [])),
    );
  return {
    invites: ifAllowed(SETTINGS.invites, () => fetchInvites(serverId)),
    passwords: ifAllowed(SETTINGS.passwords, () => fetchPasswords(serverId)),
    bans: ifAllowed(SETTINGS.bans, () => fetchBans(serverId)),
  };
};

/**
 * A list whose card is not shown (the server could not be opened: its layout says so) is never
 * awaited: its failure is the layout's to show, not an unhandled rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

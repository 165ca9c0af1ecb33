import type { InviteInfo } from "@agorusta/core/views";
import { isApiError } from "#lib/api.ts";
import { api, send, session } from "#lib/session.svelte.ts";
import type { PageLoad } from "./$types";

/** What opening an invite found: the server to join (and whether one is in it already), or why not. */
export type InviteLookup =
  | { status: "ready"; info: InviteInfo; member: boolean }
  | { status: "invalid" | "error"; problem: string };

/**
 * Looking an invite up needs an account: null for a visitor (asked to sign in first; a sign-in
 * loads this again). A promise the page shows while it comes; it never rejects, a failure is one
 * of its answers.
 */
export const load: PageLoad = ({ params }) => ({
  lookup: session.settled().then((status) => (status === "signedIn" ? lookUp(params.code) : null)),
});

async function lookUp(code: string): Promise<InviteLookup> {
  try {
    const [info, servers] = await Promise.all([send(api.invites[":code"].$get({ param: { code } })), send(api.servers.$get({ query: {} }))]);
    return { status: "ready", info, member: servers.some((s) => s.id === info.server.id) };
  } catch (e) {
    const gone = isApiError(e) && (e.status === 404 || e.status === 410);
    return { status: gone ? "invalid" : "error", problem: isApiError(e) ? e.message : "Something went wrong." };
  }
}

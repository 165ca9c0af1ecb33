/**
 * What the composer's `@` and `#` offer in a server's channel and in a DM (autocomplete.ts).
 * People come from the server's member list (loaded in full when a list first opens: the API has
 * no member search); channels from the directory, which lists only what the reader can see.
 */
import { can } from "@agorusta/core/permissions";
import type { DmConversation, ServerDetail, User } from "@agorusta/core/views";
import type { Suggestions } from "./autocomplete.ts";
import { directory } from "./directory.svelte.ts";
import { members, type Roster } from "./memberList.svelte.ts";

/** Pages of members fetched for suggestions at most (100 each): past that, the ones loaded are offered. */
const MEMBER_PAGES = 20;

async function loadAll(roster: Roster): Promise<void> {
  if (roster.status === "idle" || roster.status === "error") await roster.load();
  for (let pages = 1; roster.status === "ready" && roster.more === "idle" && pages < MEMBER_PAGES; pages++) await roster.loadMore();
}

/** In a channel: the server's members, its channels, and `@everyone` if the author may notify everyone. */
export function channelSuggestions(server: () => ServerDetail, authors: () => readonly User[]): Suggestions {
  const roster = () => (members.roster?.serverId === server().id ? members.roster : null);
  return {
    people: () => {
      const loaded = roster();
      // Until the member list has come, whoever wrote what is on screen.
      return loaded?.status === "ready" ? loaded.members.map((m) => m.user) : authors();
    },
    // The one seam for roles (issue 23): `can` answers for the author, in this server.
    everyone: () => can(server(), "MENTION_EVERYONE"),
    channels: () => (directory.details.get(server().id) ?? server()).channels,
    wanted: (kind) => {
      const loaded = roster();
      if (kind === "person" && loaded) void loadAll(loaded);
    },
  };
}

/** In a DM: its two people, and the channels of every server the author is in (named with their server). */
export function dmSuggestions(conversation: () => DmConversation): Suggestions {
  return {
    people: () => conversation().participants,
    everyone: () => false,
    channels: () => [...directory.details.values()].flatMap((s) => s.channels.map((c) => ({ id: c.id, name: c.name, where: s.name }))),
  };
}

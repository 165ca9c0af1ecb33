/**
 * Who may be @mentioned in the conversation on screen, handed to every message in it through a
 * Svelte context (so the rows between the conversation and the text need not pass it on), and
 * whether a message names the reader.
 */
import { getContext, setContext } from "svelte";
import type { User } from "@agorusta/core/views";
import { directory } from "./directory.svelte.ts";
import { namesReader, type MentionContext } from "./markdown.ts";

const KEY = Symbol("mentions");

/** Call during a conversation's initialisation: `people()` lists whom its text may name. */
export function provideMentions(people: () => Iterable<Pick<User, "username">>, me: () => User | null): void {
  const names = $derived(new Set([...people(), ...(me() ? [me()!] : [])].map((p) => p.username.toLowerCase())));
  setContext<() => Omit<MentionContext, "everyone">>(KEY, () => ({
    isMember: (name: string) => names.has(name.toLowerCase()),
    me: me()?.username ?? null,
  }));
}

/**
 * Call during component initialisation: reads the conversation's context once, and gives the
 * mention context of a message (call it as often as the message changes).
 */
export function mentionContexts(): (message: Mentioning) => MentionContext {
  const get = getContext<(() => Omit<MentionContext, "everyone">) | undefined>(KEY);
  return (message) => ({
    ...(get?.() ?? { isMember: () => false, me: null }),
    everyone: message.mentionsEveryone === true,
    roles: mentionedRoles(message),
    channel: visibleChannel,
  });
}

/** The roles a channel message mentions, as its server's roles (in the directory) name and colour them now. */
function mentionedRoles(message: Mentioning): { id: string; name: string; color: number | null }[] {
  if (!message.mentionRoles?.length || !message.serverId) return [];
  const roles = directory.details.get(message.serverId)?.roles ?? [];
  return roles.filter((r) => message.mentionRoles!.includes(r.id));
}

/**
 * A channel linked as `<#id>`, if the reader can see it: one of the channels the directory lists
 * for their servers (the API lists only those they may see), wherever the link was written.
 */
function visibleChannel(id: string): { name: string; serverId: string } | null {
  for (const server of directory.details.values()) {
    const channel = server.channels.find((c) => c.id === id);
    if (channel) return { name: channel.name, serverId: server.id };
  }
  return null;
}

/** What a message says of whom it mentions, where the API tells (`mentions`, `mentionsEveryone`). */
export interface Mentioning {
  authorId: string;
  content: string;
  mentions?: readonly string[];
  mentionsEveryone?: boolean;
  /** A channel message's: its server, and the roles it mentions. */
  serverId?: string;
  mentionRoles?: readonly string[];
}

/** Someone else's message that names the reader (or everyone): drawn so it stands out. */
export function mentionsReader(message: Mentioning, me: User | null): boolean {
  if (!me || message.authorId === me.id) return false;
  // In a DM every message "mentions" the other participant (for their unread count); only
  // naming them in the text makes one stand out there.
  if (message.mentions && !("conversationId" in message)) return message.mentions.includes(me.id) || message.mentionsEveryone === true;
  return namesReader(message.content, me.username);
}

/**
 * The profile card (issue 22 item 5): clicking a name or an avatar opens it beside what was
 * clicked. One at a time; a host renders it (components/ProfileCardHost.svelte): the app shell's, or the
 * one inside the modal sheet it was opened from (outside an open modal dialog a page is inert).
 */
import { goto } from "$app/navigation";
import type { User } from "@agorusta/core/views";
import { directory } from "./directory.svelte.ts";
import { path } from "./navigation.ts";
import { api, send } from "./session.svelte.ts";

export interface ProfileOpening {
  user: User;
  /** What was clicked: the card sits beside it, and focus goes back to it. */
  anchor: HTMLElement;
  /** The server on screen: the card says when they joined it (else when they joined Agorusta). */
  serverId: string | null;
}

class ProfileCard {
  current = $state.raw<ProfileOpening | null>(null);

  show(user: User, anchor: HTMLElement, serverId: string | null): void {
    this.current = this.current?.anchor === anchor ? null : { user, anchor, serverId };
  }

  close(): void {
    this.current = null;
  }
}

export const profileCard = new ProfileCard();

/** Opens the direct conversation with this user, starting it if there is none. Throws an `ApiError` to show. */
export async function messageUser(userId: string): Promise<void> {
  const conversation = await send(api.dms.$post({ json: { userId } }));
  directory.upsertDm(conversation);
  await goto(path`/dms/${conversation.id}`);
}

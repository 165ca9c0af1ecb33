/** The app shell's own state: on a phone, whether the navigation drawer is open; the member list's place. */
import { MediaQuery } from "svelte/reactivity";

const MEMBERS_KEY = "agorusta.members";

/** What the notification settings dialog is open for: a server, one of its channels, or the DMs. */
export type NotifyTarget = { serverId: string; channelId?: string } | { dms: true };

class Shell {
  navOpen = $state(false);
  createServerOpen = $state(false);
  /** The notification settings dialog (one for the whole app, opened from menus and headers). */
  notifySettings = $state<NotifyTarget | null>(null);
  /** Wide enough for the member list beside the conversation; narrower, it slides over it. */
  roomy = new MediaQuery("min-width: 1000px");
  /** Beside the conversation: shown unless the person hid it (remembered, like the other chat apps do). */
  membersBeside = $state(localStorage.getItem(MEMBERS_KEY) !== "hidden");
  /** Over the conversation (narrow screens): only when asked for. */
  membersOver = $state(false);

  get membersOpen(): boolean {
    return this.roomy.current ? this.membersBeside : this.membersOver;
  }

  toggleMembers(): void {
    if (!this.roomy.current) return void (this.membersOver = !this.membersOver);
    this.membersBeside = !this.membersBeside;
    localStorage.setItem(MEMBERS_KEY, this.membersBeside ? "shown" : "hidden");
  }
}

export const shell = new Shell();

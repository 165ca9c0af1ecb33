/**
 * Who is typing in the channel on screen, and telling the others when this person types.
 */
import { untrack } from "svelte";
import type { User } from "@agorusta/core/views";
import { live } from "./live.svelte.ts";
import { throttle, TYPING_EVERY_MS, TYPING_SHOWN_MS } from "./typing.ts";

export class Typists {
  /** In the order they started typing. */
  users = $state.raw<User[]>([]);
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** A typing event: shown for a while after the last one. */
  saw(user: User): void {
    clearTimeout(this.#timers.get(user.id));
    this.#timers.set(user.id, setTimeout(() => this.stopped(user.id), TYPING_SHOWN_MS));
    if (!this.users.some((u) => u.id === user.id)) this.users = [...this.users, user];
  }

  /** Their message arrived, or their time is up. */
  stopped(userId: string): void {
    clearTimeout(this.#timers.get(userId));
    this.#timers.delete(userId);
    if (this.users.some((u) => u.id === userId)) this.users = this.users.filter((u) => u.id !== userId);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.users = [];
  }
}

/** Where someone types: a channel, or a direct conversation. */
export type TypingPlace = { channelId: string } | { conversationId: string };

/**
 * For the component showing a channel or a direct conversation, for its life: who else is typing there, `typing()` to
 * call on each keystroke that leaves text in the composer, and `sent()` once a message goes
 * (the others stop showing this person as typing when it arrives, so the next keystroke says so
 * again, once 3 s have passed since the last `typing` frame: the server would drop one sooner).
 */
export function followTyping(place: TypingPlace) {
  const typists = new Typists();
  const say = throttle(
    () => ("channelId" in place ? live.realtime.typing(place.channelId) : live.realtime.typingInDm(place.conversationId)),
    TYPING_EVERY_MS,
  );
  $effect(() => untrack(() => {
    const stop = live.realtime.onEvent((e) => {
      if ("channelId" in place) {
        if (e.type === "typing" && e.channelId === place.channelId) typists.saw(e.user);
        else if (e.type === "new_message" && e.message.channelId === place.channelId) typists.stopped(e.message.authorId);
      } else if (e.type === "dm_typing" && e.conversationId === place.conversationId) typists.saw(e.user);
      else if (e.type === "new_dm_message" && e.message.conversationId === place.conversationId) typists.stopped(e.message.authorId);
    });
    return () => {
      stop();
      say.reset();
      typists.clear();
    };
  }));
  return { typists, typing: say.call, sent: say.reset };
}

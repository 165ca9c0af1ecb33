/**
 * What one may do to the messages of a conversation, and the one message being edited or asked
 * about: its author edits it; its author, or a server's owner in a channel, deletes it.
 */
import type { Feed, PendingMessage } from "./feed.svelte.ts";
import type { TimelineMessage } from "./timeline.ts";

/** Placeholders of messages being sent are not stored yet: nothing to edit or delete. */
const stored = (m: TimelineMessage | PendingMessage) => !("status" in m);

export class MessageTools<M extends TimelineMessage> {
  /** The id of the message whose editor is open. */
  editing = $state<string | null>(null);
  /** The message whose deletion awaits a confirmation. */
  deleting = $state.raw<M | null>(null);
  #feed: Feed<M>;
  #me: () => string | undefined;
  #moderator: () => boolean;

  constructor(feed: Feed<M>, me: () => string | undefined, moderator: () => boolean) {
    this.#feed = feed;
    this.#me = me;
    this.#moderator = moderator;
  }

  canEdit(m: TimelineMessage | PendingMessage): boolean {
    return stored(m) && m.authorId === this.#me();
  }

  canDelete(m: TimelineMessage | PendingMessage): boolean {
    return stored(m) && (m.authorId === this.#me() || this.#moderator());
  }

  edit(id: string): void {
    this.editing = id;
  }

  /** ↑ in an empty composer: one's newest message. False when there is none to edit. */
  editLast(): boolean {
    const mine = this.#feed.messages.findLast((m) => this.canEdit(m));
    if (mine) this.editing = mine.id;
    return mine !== undefined;
  }

  stopEditing(): void {
    this.editing = null;
  }

  /**
   * Saves an edit. Unchanged text just closes the editor; emptied text asks to delete the
   * message instead, as chat apps do. Throws an `ApiError` for the editor to show.
   */
  async save(message: M, content: string): Promise<void> {
    if (content === message.content) return this.stopEditing();
    if (content.trim() === "") {
      this.stopEditing();
      this.deleting = message;
      return;
    }
    await this.#feed.edit(message.id, content);
    if (this.editing === message.id) this.stopEditing();
  }

  /** Asks first; Shift held deletes at once (the habit of people who delete a lot). */
  delete(message: M, now = false): void {
    if (now) void this.#feed.remove(message.id).catch(() => (this.deleting = message));
    else this.deleting = message;
  }

  /** The confirmed deletion; throws an `ApiError` for the dialog to show. */
  confirmDelete = async (): Promise<void> => {
    if (this.deleting) await this.#feed.remove(this.deleting.id);
  };
}

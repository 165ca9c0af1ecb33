/**
 * A message's context menu (right-click, long press, the menu key, the "More" action): what it
 * lists for one message and one reader. What may be edited or deleted is `MessageTools`'s answer
 * (a server's `can(…, "manage_messages")` for others' messages), so the menu never offers more
 * than the toolbar does. No Svelte: plain data.
 */
import type { MenuItem } from "../contextMenu.ts";
import { toasts } from "../toasts.svelte.ts";

export interface MessageMenuOptions {
  /** The message's text (nothing to copy when it is only files). */
  content: string;
  canEdit: boolean;
  canDelete: boolean;
  /** Absent outside a conversation with replies and reactions. */
  react?: () => void;
  reply?: () => void;
  /** The address that opens the conversation at this message. */
  link?: string;
  edit: () => void;
  delete: () => void;
}

export function messageMenu(o: MessageMenuOptions): MenuItem[] {
  const items: MenuItem[] = [];
  if (o.react) items.push({ label: "Add reaction", icon: "smilePlus", onselect: o.react });
  if (o.reply) items.push({ label: "Reply", icon: "reply", onselect: o.reply });
  if (o.content) items.push({ label: "Copy text", icon: "copy", onselect: () => void copy(o.content, "Text copied.") });
  if (o.link) {
    const link = o.link;
    items.push({ label: "Copy message link", icon: "link", onselect: () => void copy(link, "Message link copied.") });
  }
  if (o.canEdit) items.push({ label: "Edit message", icon: "pencil", separated: true, onselect: o.edit });
  if (o.canDelete) items.push({ label: "Delete message", icon: "trash", danger: true, separated: !o.canEdit, onselect: o.delete });
  return items;
}

/** Puts `text` on the clipboard and says so (or why not: an insecure origin has no clipboard). */
export async function copy(text: string, done: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toasts.show(done, 3000);
  } catch {
    toasts.show("The clipboard is not available here: select the text and copy it yourself.");
  }
}

/**
 * An attachment for what sits inside a row but keeps the browser's own context menu (the editor's
 * text field: paste, spelling; the image viewer: save the image): the row's menu never hears its
 * right-clicks or long presses.
 */
export function browserMenu(node: HTMLElement): () => void {
  const stop = (e: Event) => e.stopPropagation();
  node.addEventListener("contextmenu", stop);
  node.addEventListener("pointerdown", stop);
  return () => {
    node.removeEventListener("contextmenu", stop);
    node.removeEventListener("pointerdown", stop);
  };
}

/**
 * "Mention" in a member's menu puts `@name ` into the composer on screen. A window event, so the
 * menu needs no handle on the composer (there is at most one on screen: the conversation's).
 */
const EVENT = "agorusta:composer-insert";

/** Asks the composer on screen to insert `text` where one types next (it focuses itself). */
export function insertIntoComposer(text: string): void {
  dispatchEvent(new CustomEvent<string>(EVENT, { detail: text }));
}

/** For the composer: `handler` gets each text to insert; the returned function stops listening. */
export function onComposerInsert(handler: (text: string) => void): () => void {
  const listener = (e: Event) => handler((e as CustomEvent<string>).detail);
  addEventListener(EVENT, listener);
  return () => removeEventListener(EVENT, listener);
}

/** `text` added to what is typed, a space between them unless there is one. */
export const appended = (typed: string, text: string) => (typed === "" || /\s$/.test(typed) ? typed + text : `${typed} ${text}`);

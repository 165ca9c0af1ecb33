/**
 * The tab's title carries the count of unread mentions, "(3) #general · Trail crew · Agorusta",
 * whatever page set the rest of it: pages keep setting their own titles through <svelte:head>,
 * and the count is put back in front each time they do.
 */
const COUNT = /^\(\d+\) /;

export function mentionTitle(): { set(count: number): void; stop(): void } {
  let count = 0;
  const apply = () => {
    const base = document.title.replace(COUNT, "");
    const wanted = count > 0 ? `(${count}) ${base}` : base;
    if (document.title !== wanted) document.title = wanted;
  };
  const observer = new MutationObserver(apply);
  observer.observe(document.head, { subtree: true, childList: true, characterData: true });
  return {
    set(next: number) {
      count = next;
      apply();
    },
    stop() {
      observer.disconnect();
      count = 0;
      apply();
    },
  };
}

/** Calls `load` each time the element scrolls into view (a Svelte action): the end of a list that pages. */
export function whenVisible(element: Element, load: () => void) {
  let current = load;
  const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && current(), { rootMargin: "200px" });
  observer.observe(element);
  return {
    update: (next: () => void) => void (current = next),
    destroy: () => observer.disconnect(),
  };
}

/**
 * A textarea that grows with its text up to its CSS `max-height` (a Svelte action). Pass the text
 * (`use:autosize={text}`), so a change made by code (cleared after sending) refits it too.
 */
export function autosize(textarea: HTMLTextAreaElement, _text?: string) {
  const fit = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + textarea.offsetHeight - textarea.clientHeight}px`;
  };
  fit();
  return { update: fit };
}

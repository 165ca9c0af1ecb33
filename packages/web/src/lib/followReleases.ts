/**
 * The app's side of a release (docs/decisions.md, "Caching and releases"). SvelteKit itself, when
 * the code of the page being opened fails to load, asks `/_app/version.json` and, if a release
 * came out, loads that page from the server instead. This adds:
 * - once SvelteKit knows of a release (it asks when the tab comes back into view, and hourly), the
 *   next navigation loads the page from the server, before any old code can fail;
 * - when the code still fails (the version file unchanged, or unreachable), `handleError` reloads
 *   once to the page being opened if the server no longer has the file, and otherwise gives the
 *   error page a message that says why.
 */
import { afterNavigate, beforeNavigate } from "$app/navigation";
import { navigating, page, updated } from "$app/state";
import { loadedWithoutError, messages, recover } from "./releaseReload.ts";

let started = false;

/** For the root layout, which lives as long as the app. */
export function followReleases(): void {
  beforeNavigate(({ willUnload, to }) => {
    if (updated.current && !willUnload && to?.url) location.href = to.url.href;
  });
  afterNavigate(() => {
    started = true;
    if (!page.error) loadedWithoutError();
  });
}

/**
 * For `handleError`, when loading `file` of the app's own code failed (`failedFile`): the message
 * for the error page, after reloading once to `to` when that may help. Undefined for a link's code
 * fetched ahead on hover: the click meets the same failure, as a navigation.
 */
export async function recoverFromMissingCode(file: string, to: URL): Promise<string | undefined> {
  const preloading = started && navigating.to === null;
  if (preloading) return undefined;
  return messages[await recover(file, to.href)];
}

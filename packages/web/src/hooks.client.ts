import type { ClientInit, HandleClientError } from "@sveltejs/kit/hooks";
import { appStartedEvent, failedFile } from "#lib/releaseReload.ts";
import { recoverFromMissingCode } from "#lib/followReleases.ts";

/** The app's scripts run: from now on a failed load is the app's to handle, not the shell guard's (src/shellGuard.ts). */
export const init: ClientInit = () => {
  dispatchEvent(new Event(appStartedEvent));
};

export const handleError: HandleClientError = async ({ kind, error, event }) => {
  const file = failedFile(error);
  if (file !== undefined) {
    const message = await recoverFromMissingCode(file, event.url);
    return message === undefined ? undefined : { message };
  }
  // What SvelteKit does without this hook: an unexpected error is logged.
  if (kind === "unknown") console.error(error);
};

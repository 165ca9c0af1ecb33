import type { ClientInit, HandleClientError } from "@sveltejs/kit/hooks";
import { appStartedEvent } from "#lib/releaseReload.ts";
import { recoverFromMissingCode } from "#lib/followReleases.ts";

/** The app's scripts run: from now on a failed load is the app's to handle, not the shell guard's (src/shellGuard.ts). */
export const init: ClientInit = () => {
  dispatchEvent(new Event(appStartedEvent));
};

export const handleError: HandleClientError = async ({ error, event }) => {
  const message = await recoverFromMissingCode(error, event.url);
  return message === undefined ? undefined : { message };
};

/**
 * The shell guard: the first script of every built page, from a name that every release keeps
 * (`/_app/shell-guard.js`, asked again at each load), bundled on its own by scripts/shell-guard.ts.
 *
 * A page may come from the browser's cache (back and forward, a restored tab) after a release
 * removed its scripts and stylesheets; nothing of the app then runs, and the page would stay
 * blank. Until the app says it runs, the guard watches the page's own `/_app/` scripts,
 * stylesheets and preloads; for the page's whole life, imports nobody handled (the app's own
 * start, a component loaded on demand). When the file is gone it reloads once, else it says why
 * the page cannot go on. Failures while navigating are the app's (hooks.client.ts).
 */
import { appStartedEvent, failedFile, recover, showNotice } from "./lib/releaseReload.ts";

async function handle(file: string) {
  const outcome = await recover(file);
  if (outcome !== "reloading") showNotice(outcome);
}

function onResourceError(event: Event) {
  const element = event.target;
  const url = element instanceof HTMLScriptElement ? element.src : element instanceof HTMLLinkElement ? element.href : "";
  if (url && new URL(url).pathname.startsWith("/_app/")) void handle(url);
}

// Errors of elements do not bubble: caught on their way down.
addEventListener("error", onResourceError, true);
addEventListener(appStartedEvent, () => removeEventListener("error", onResourceError, true), { once: true });
addEventListener("unhandledrejection", (event) => {
  const file = failedFile(event.reason);
  if (file !== undefined) void handle(file);
});

/**
 * What a tab does when a file of its own build is gone, as happens to a tab still running the
 * previous release after a deploy: it reloads, once, to get the new release; if a reload does not
 * help, it says so instead of reloading again (a build that is truly broken would otherwise reload
 * in a loop). docs/decisions.md, "Caching and releases".
 *
 * Used by the shell guard (src/shellGuard.ts, which runs before the app's own scripts and may find
 * them gone) and by the app (lib/followReleases.ts), so it imports nothing from SvelteKit.
 */

/** Set for the tab (sessionStorage) once it reloaded for a missing file; cleared once a page of the app loaded without error. */
const reloadedKey = "agorusta.reloadedForMissingFile";

/** The app tells the shell guard its scripts are running, so the guard stops watching the page's elements. */
export const appStartedEvent = "agorusta:app-started";

export const messages = {
  reloading: "Agorusta was updated: loading the new version…",
  stale: "Part of Agorusta could not be loaded, even after reloading. It may be being updated: try again in a minute.",
  offline: "Part of Agorusta could not be loaded: check your connection and try again.",
} as const;

export type Outcome = keyof typeof messages;

// Chromium, Firefox, then Vite's preload of a chunk's stylesheet; each names the file. Safari names none.
const namedFailure = /(?:Failed to fetch dynamically imported module|error loading dynamically imported module|Unable to preload CSS for):?\s+(\S+)/;
const unnamedFailure = /Importing a module script failed/;

/**
 * The file a failed dynamic import or preload was loading ("" when the browser does not say), or
 * undefined when the error is something else.
 */
export function failedFile(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  const named = namedFailure.exec(message);
  if (named) return named[1];
  return unnamedFailure.test(message) ? "" : undefined;
}

/**
 * Whether the server answers for `file` without it (a 404, or a page where a script or stylesheet
 * should be), as opposed to no answer at all: offline, a reload would only lose the page.
 */
export async function isGone(file: string): Promise<boolean> {
  if (!file) return navigator.onLine;
  try {
    const res = await fetch(new URL(file, location.href), { method: "HEAD", cache: "no-store" });
    return !res.ok || (res.headers.get("content-type") ?? "").startsWith("text/html");
  } catch {
    return false;
  }
}

let leaving = false;

/**
 * Loads `to` (by default this page again) once for this tab, until a page loads without error
 * (`loadedWithoutError`); false when it already did, so the reload did not help. Without
 * sessionStorage (some private modes), never: a reload that cannot be counted could loop.
 */
export function reloadOnce(to: string = location.href): boolean {
  if (leaving) return true;
  try {
    if (sessionStorage.getItem(reloadedKey) !== null) return false;
    sessionStorage.setItem(reloadedKey, to);
  } catch {
    return false;
  }
  leaving = true;
  // Assigning the very URL of the page (with a #fragment) would only scroll: reload it instead.
  if (to === location.href) location.reload();
  else location.assign(to);
  return true;
}

/** A page of the app loaded without error: a later release may reload the tab once again. */
export function loadedWithoutError(): void {
  try {
    sessionStorage.removeItem(reloadedKey);
  } catch {
    // Without sessionStorage nothing was counted.
  }
}

/**
 * What to do about a failed load of `file` (the error's, from `failedFile`): reload once to `to`
 * when the server no longer has it, else the message to show.
 */
export async function recover(file: string, to?: string): Promise<Outcome> {
  if (!(await isGone(file))) return "offline";
  return reloadOnce(to) ? "reloading" : "stale";
}

/**
 * A bar across the top of the page saying why it cannot go on, with a Reload button: on a page
 * whose own scripts are gone there is nothing else on screen. Styled inline, as no stylesheet may
 * have loaded.
 */
export function showNotice(outcome: Exclude<Outcome, "reloading">): void {
  const show = () => {
    document.getElementById("release-notice")?.remove();
    const bar = document.createElement("div");
    bar.id = "release-notice";
    bar.setAttribute("role", "alert");
    bar.style.cssText =
      "position:fixed;inset:0 0 auto 0;z-index:2147483647;display:flex;flex-wrap:wrap;gap:12px;align-items:center;" +
      "justify-content:center;padding:12px 16px;background:#1e1f22;color:#f2f3f5;font:15px/1.4 system-ui,sans-serif";
    const text = document.createElement("span");
    text.textContent = messages[outcome];
    const reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload";
    reload.style.cssText = "padding:6px 14px;border:0;border-radius:4px;background:#4752c4;color:#fff;font:inherit;cursor:pointer";
    reload.addEventListener("click", () => location.reload());
    bar.append(text, reload);
    document.body.append(bar);
  };
  if (document.body) show();
  else addEventListener("DOMContentLoaded", show, { once: true });
}

/**
 * Who is signed in. The token lives in localStorage (the API takes bearer tokens, and a reload or
 * a second tab must stay signed in); every tab follows a sign-in or sign-out made in another.
 */
import type { Me } from "@agorusta/core/views";
import { ApiError, call, createClient } from "./api.ts";
import { apiBase } from "./config.ts";
import { forgetOfflineData } from "./offline.ts";

const TOKEN_KEY = "agorusta.token";

type Status = "loading" | "signedOut" | "signedIn" | "unreachable";

class Session {
  token = $state<string | null>(null);
  me = $state<Me | null>(null);
  #status = $state<Status>("loading");
  /** Why the person was signed out without asking (shown on the sign-in page). */
  notice = $state<string | null>(null);
  /** Signed out on purpose: the sign-in page then starts afresh rather than offer to come back. */
  leftOnPurpose = $state(false);
  /** Whoever waits for the start-up check of the stored token (`settled`). */
  #waiting: ((status: Status) => void)[] = [];

  get status(): Status {
    return this.#status;
  }

  set status(status: Status) {
    this.#status = status;
    if (status === "loading") return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve(status);
  }

  /**
   * Whether someone is signed in, once that is known (at once if it is). A page's `load` runs
   * before the start-up check of a stored token has answered, and its requests need that token.
   */
  settled(): Promise<Status> {
    if (this.#status !== "loading") return Promise.resolve(this.#status);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Checks a stored token once at start-up. */
  async restore(): Promise<void> {
    this.token = localStorage.getItem(TOKEN_KEY);
    if (!this.token) {
      this.status = "signedOut";
      return;
    }
    this.status = "loading";
    try {
      this.me = await send(api.auth.me.$get());
      this.status = "signedIn";
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      this.status = "unreachable";
    }
  }

  signIn(token: string, me: Me): void {
    localStorage.setItem(TOKEN_KEY, token);
    // Nothing kept for offline from before: an answer that came back after someone signed out is not this person's.
    if (token !== this.token) void forgetOfflineData();
    this.token = token;
    this.me = me;
    this.notice = null;
    this.leftOnPurpose = false;
    this.status = "signedIn";
  }

  signOut(notice: string | null = null): void {
    localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.me = null;
    this.notice = notice;
    this.leftOnPurpose = notice === null;
    this.status = "signedOut";
    // What the service worker kept for offline was this person's.
    void forgetOfflineData();
  }

  /** Signing out on purpose: the token stops working on the server too (and its sockets close). */
  logOut(): void {
    const token = this.token;
    this.signOut();
    if (token) void call(createClient({ baseUrl: apiBase(), token: () => token }).auth.logout.$post()).catch(() => {});
  }

  #renewal: Promise<unknown> | null = null;

  /**
   * Signs in with what a request that replaces the token answers (a password change ends every session, this one's too,
   * and answers with a new token). Meanwhile the server closes this tab's socket, whose reconnect
   * is refused for the old token: that refusal is not an expiry once the new token is in.
   */
  async renew(work: Promise<{ token: string; user: Me }>): Promise<void> {
    // Signed in with the new token before anything waiting on the renewal looks at the token.
    const renewal = work.then(({ token, user }) => this.signIn(token, user));
    this.#renewal = renewal;
    try {
      await renewal;
    } finally {
      if (this.#renewal === renewal) this.#renewal = null;
    }
  }

  /** The API refused `refused` (the token a request carried): it expired, was ended, or the server's secret changed. */
  expire(refused: string | null = this.token): void {
    const renewal = this.#renewal;
    if (renewal) {
      void renewal.then(() => this.expire(refused), () => this.expire(refused));
      return;
    }
    // A token already replaced was refused: the one in use now is not.
    if (this.status === "signedOut" || refused !== this.token) return;
    this.signOut("Your session has ended. Sign in again to continue.");
  }

  /** Another tab signed in or out. */
  followOtherTabs(): () => void {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== TOKEN_KEY || e.newValue === this.token) return;
      if (e.newValue) void this.restore();
      else this.signOut();
    };
    addEventListener("storage", onStorage);
    return () => removeEventListener("storage", onStorage);
  }
}

export const session = new Session();

/** The typed REST client, carrying the signed-in person's token. */
export const api = createClient({ baseUrl: apiBase(), token: () => session.token });

/** Awaits a request of `api`: its typed body, or an `ApiError`; a refused token signs out. */
export const send: typeof call = (request) => {
  // The token this request went with: only its refusal can end the session.
  const token = session.token;
  return call(request, () => session.expire(token));
};

/** Where to go after signing in: only a path of this app (never `//evil.example`). */
export function safeNext(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

/** `/login?next=…` for the page the person is on. */
export const loginUrl = (url: { pathname: string; search: string }, path = "/login"): string => {
  const here = url.pathname + url.search;
  return here === "/" ? path : `${path}?next=${encodeURIComponent(here)}`;
};

/**
 * The code in what a person pastes: a whole invite link (`https://…/invite/AbC123xy`) or the
 * code alone. Whether it is a valid code is the API's to say.
 */
export function inviteCodeFrom(input: string): string {
  const text = input.trim();
  const match = text.match(/\/invite\/([^/?#\s]+)/);
  return match ? match[1]! : text;
}

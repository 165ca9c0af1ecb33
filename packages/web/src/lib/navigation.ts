/** Any origin will do: only whether a `next` stays on it matters. */
const HERE = "https://agorusta.invalid";

/**
 * Where to go after signing in: only a path of this app. Refused (home instead): another origin
 * (`https://evil.example`), a scheme-relative URL (`//evil.example`), and what browsers read as
 * one: a backslash (`/\evil.example`), or tabs and newlines the URL parser drops (`/\t/evil`).
 * What passes is resolved against this origin and must still be on it.
 */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || /[\\\u0000-\u001F\u007F]/.test(value)) return "/";
  try {
    const url = new URL(value, HERE);
    return url.origin === HERE ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

/**
 * A path of this app built from ids: each value is encoded (`path\`/servers/${id}\``), so an id
 * can never add a segment, a query or `..` to the path.
 */
export const path = (strings: TemplateStringsArray, ...values: string[]): string =>
  strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]!) : ""), "");

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

import type { MiddlewareHandler } from "hono";
import { AppError } from "@agorusta/core";

/** Decodes UTF-8, or throws on bytes that are not (instead of turning them into U+FFFD, as `Request.text()` does). */
const utf8 = new TextDecoder("utf-8", { fatal: true });

const decodes = (encoded: string) => {
  try {
    decodeURIComponent(encoded.replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
};

/** The name of the first query parameter whose percent-encoding is not UTF-8 (as sent, if the name itself is not), or null. */
function undecodableQueryParam(search: string): string | null {
  for (const pair of search.slice(1).split("&")) {
    if (decodes(pair)) continue;
    const name = pair.split("=", 1)[0]!;
    return decodes(name) ? decodeURIComponent(name.replace(/\+/g, " ")) : name;
  }
  return null;
}

/**
 * The request's text is well-formed before any route reads it (docs/decisions.md, "Well-formed
 * text"): a body that is not valid UTF-8, or a query value whose percent-encoding is not, is a 400.
 * Left alone, the body's bad bytes would become U+FFFD and a query's undecodable value would reach
 * the route still encoded (Hono keeps what it cannot decode): altered text, stored or searched as
 * if the client had sent it. The strings inside are checked by the schemas (core/src/schemas.ts).
 * Runs after the body limit, so at most 64 KiB is read.
 */
export const wellFormedRequest: MiddlewareHandler = async (c, next) => {
  const search = new URL(c.req.url).search;
  const param = search.includes("%") ? undecodableQueryParam(search) : null;
  if (param !== null) {
    const message = "The query is not valid percent-encoded UTF-8.";
    throw new AppError("invalid_request", message, { issues: [{ path: param, message }] });
  }
  // A multipart body (a webhook's files: routes/webhooks.ts) holds binary parts; its text parts are checked as they are read.
  if (c.req.raw.body && !/^multipart\//i.test(c.req.header("content-type") ?? "")) {
    // Hono keeps the bytes read here for the routes' own reading of the body.
    const bytes = await c.req.arrayBuffer();
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new AppError("invalid_request", "The request body is not valid UTF-8.");
    }
    // The routes read the body as text (`c.req.json()`): given only the bytes, Hono would make a
    // `Response` of them to decode them again, on every request with a body.
    // Hono's cache holds the promises its readers return (its types name the values).
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
  }
  await next();
};

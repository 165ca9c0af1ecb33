import { AppError, type ErrorBody } from "@agorusta/core";

/**
 * The methods the fetch standard forbids (CONNECT, TRACE, TRACK): `new Request()` throws on them,
 * so a web-standard app like ours never sees such a request, and an adapter that tried to build
 * one answered a plain-text 500 (issue 21). The adapters (lambda/api.ts, the local runtime) answer
 * them before the app, as the app answers any method it has no route for: 404 `not_found`, in the
 * contract's JSON (docs/decisions.md, "Unknown methods").
 */
const UNREQUESTABLE = /^(?:CONNECT|TRACE|TRACK)$/i;

/** The answer to a request no route can take because of its method, or null when the app can see it. */
export function unroutableMethod(method: string, path: string): { status: 404; body: ErrorBody } | null {
  if (!UNREQUESTABLE.test(method)) return null;
  const error = new AppError("not_found", `No route for ${method.toUpperCase()} ${path}.`);
  return { status: 404, body: error.toBody() };
}

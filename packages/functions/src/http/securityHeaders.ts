/**
 * The security headers, one source for every place that serves Agorusta: the local runtime's web
 * pages, the REST app (locally and on Lambda), and CloudFront's response-headers policy for the
 * deployed web app (infra/web.ts). docs/security.md, "Headers".
 */

/** Every API answer: a JSON body is never sniffed into HTML or script. */
export const apiSecurityHeaders = { "x-content-type-options": "nosniff" } as const;

export interface WebPolicyOptions {
  /** Origins the app calls besides its own: the API and WebSocket URLs when they live elsewhere (deployed). */
  connectTo?: string[];
  /** Origins images load from besides its own (attachments' storage). */
  imagesFrom?: string[];
}

/**
 * The app's Content-Security-Policy. Scripts only from its own origin: the build moves SvelteKit's
 * inline bootstrap into a file (packages/web/scripts/no-inline-script.ts), so no inline script,
 * hash or nonce. Styles allow inline ones because Svelte writes `style` attributes and
 * transitions insert `<style>` elements; a style cannot run code. `frame-ancestors 'none'`: no
 * one can frame the app to trick a click.
 */
export function webContentSecurityPolicy(options: WebPolicyOptions = {}): string {
  const list = (extra: string[] = []) => ["'self'", ...extra].join(" ");
  return [
    "default-src 'self'",
    `script-src 'self'`,
    "style-src 'self' 'unsafe-inline'",
    `img-src ${list(["data:", "blob:", ...(options.imagesFrom ?? [])])}`,
    "font-src 'self'",
    `connect-src ${list(options.connectTo)}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The Referrer-Policy: invite links carry their code in the path, and no other site should learn it. */
export const referrerPolicy = "no-referrer";

/** HSTS, deployed only (an `http://localhost` page cannot use it): two years, as browsers' preload lists ask. */
export const hstsMaxAgeSeconds = 63_072_000;

/** The headers of every web page and asset, as the local runtime sends them. */
export function webSecurityHeaders(options: WebPolicyOptions = {}): Record<string, string> {
  return {
    "content-security-policy": webContentSecurityPolicy(options),
    "x-content-type-options": "nosniff",
    "referrer-policy": referrerPolicy,
    // For browsers older than `frame-ancestors`.
    "x-frame-options": "DENY",
  };
}

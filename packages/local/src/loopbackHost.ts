/**
 * DNS rebinding: a page the developer opens points its own name (evil.example) at 127.0.0.1, and
 * the browser then lets it read whatever a loopback port answers, under that name. The `Host` it
 * sends is still its own name, so a local service that answers only requests addressed to a
 * loopback name is out of its reach. The same rule is in packages/local/java/LoopbackDynamoDBLocal.java.
 */
const LOOPBACK_NAME = /^(?:localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|\[::1\])$/;

/** Whether a `Host` header names this machine's loopback (localhost, 127.x.x.x, [::1]) at `port`. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const at = host.lastIndexOf(":");
  // No port: the scheme's default, which is not ours. "[::1]" alone ends in "]".
  if (at < 0 || host.endsWith("]")) return false;
  return host.slice(at + 1) === String(port) && LOOPBACK_NAME.test(host.slice(0, at).toLowerCase());
}

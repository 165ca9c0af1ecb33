import type { Server } from "node:http";

/**
 * Connections a listener queues before it accepts them: the kernel's usual cap (somaxconn), not
 * Node's 511. The publisher opens up to 1,000 sockets to `@connections` at once (20 fan-out
 * batches of 50), and when the accept queue overflowed the kernel dropped their handshakes: each
 * post then waited on TCP's retransmissions (1 s, 3 s, 7 s, …) and some passed their 30 s limit,
 * losing an event (this machine counted 131,468 listen overflows; session 10's `@connections`
 * timeouts).
 */
const BACKLOG = 4096;

/** Listens; a failure to (the port taken) rejects, and leaves no listener behind once listening. */
export function listening(server: Server, port: number | string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (typeof port === "string" && !/^\d+$/.test(port)) server.listen({ path: port, backlog: BACKLOG }, done);
    else server.listen({ port: Number(port), ...(host === undefined ? {} : { host }), backlog: BACKLOG }, done);
  });
}

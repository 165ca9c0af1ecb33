import type { Server } from "node:http";

/** Listens; a failure to (the port taken) rejects, and leaves no listener behind once listening. */
export function listening(server: Server, port: number | string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (host === undefined) server.listen(port, done);
    else server.listen(Number(port), host, done);
  });
}

import S3rver from "s3rver";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Server } from "node:http";

export interface S3Local {
  /** `http://127.0.0.1:<port>`: what the S3 client and the presigned URLs address. */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The embedded S3-compatible store (the npm package `s3rver`), on a free loopback port: files
 * persisted under `dataDir`, or in a temporary folder removed at stop (tests). It accepts any
 * credentials and does not check signatures, which is why an upload's real size and type are
 * checked when it is attached (docs/decisions.md, "Attachments").
 */
export async function startS3Local(options: { dataDir?: string } = {}): Promise<S3Local> {
  const temporary = !options.dataDir;
  const directory = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), "agorusta-s3-"));
  mkdirSync(directory, { recursive: true });
  const s3 = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, vhostBuckets: false });
  const { port } = await s3.run();
  const http = (s3 as unknown as { httpServer: Server }).httpServer;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      const closed = s3.close();
      http.closeAllConnections();
      await closed;
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Real files for upload tests, API and browser alike: a valid PNG of any size (so the API reads
 * its dimensions), text of any size, and the PUT a client does with an Upload.
 */
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real, decodable RGB PNG of `width` × `height`, a diagonal gradient (so it is visibly an image in screenshots). */
export function png(width: number, height: number): Buffer {
  const row = (y: number) => {
    const line = Buffer.alloc(1 + width * 3); // line[0] = 0: no filter
    for (let x = 0; x < width; x++) {
      line[1 + x * 3] = Math.round((255 * x) / width);
      line[2 + x * 3] = Math.round((255 * y) / height);
      line[3 + x * 3] = 180;
    }
    return line;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, (_, y) => row(y))))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `bytes` of readable text. */
export const text = (bytes: number, line = "The quick brown fox jumps over the lazy dog.\n"): Buffer =>
  Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));

/**
 * PUTs the bytes as a client would with an `Upload`: its URL, exactly its headers (and a content
 * type override to send a wrong one). The body is typed by the global `RequestInit` because this
 * file is checked under Node's types (tsc) and the DOM's (svelte-check, through the web tests),
 * whose `fetch` bodies differ: the DOM's refuses a `Uint8Array<ArrayBufferLike>`.
 */
export async function putUpload(upload: { uploadUrl: string; headers: Record<string, string> }, body: NonNullable<RequestInit["body"]>, headers: Record<string, string> = {}) {
  const res = await fetch(upload.uploadUrl, { method: "PUT", headers: { ...upload.headers, ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

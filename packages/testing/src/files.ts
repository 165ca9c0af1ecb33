/** Real files for upload tests: a valid PNG of any size, and the PUT a client does with an Upload. */
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real, decodable PNG of `width` × `height` grey pixels. */
export function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter byte per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** PUTs the bytes as a client would with an `Upload`: its URL, exactly its headers (and a content type override to send a wrong one). */
export async function putUpload(upload: { uploadUrl: string; headers: Record<string, string> }, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(upload.uploadUrl, { method: "PUT", headers: { ...upload.headers, ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

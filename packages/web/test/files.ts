/**
 * Files for the browser tests to upload: real PNGs of a chosen size (so the API reads their
 * dimensions), and text.
 */
import { crc32, deflateSync } from "node:zlib";

/** A valid RGB PNG of `width` × `height`, a diagonal gradient (so it is visibly an image in screenshots). */
export function png(width: number, height: number): Buffer {
  const row = (y: number) => {
    const line = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      line[1 + x * 3] = Math.round((255 * x) / width);
      line[2 + x * 3] = Math.round((255 * y) / height);
      line[3 + x * 3] = 180;
    }
    return line;
  };
  const raw = Buffer.concat(Array.from({ length: height }, (_, y) => row(y)));
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `bytes` of readable text. */
export const text = (bytes: number, line = "The quick brown fox jumps over the lazy dog.\n"): Buffer =>
  Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));

/**
 * Before `vite build`: makes the installable app's icons from ONE source, `src/icon.svg`, with sharp
 * (docs/decisions.md, "Installable app and notification settings (issue 25)"), into `static/icons/`
 * (git-ignored), which the build copies to `/icons/`. The manifest (`static/manifest.webmanifest`)
 * names them; `icons` below is the one list of what is made, read by the manifest test too.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

export interface IconFile {
  file: string;
  size: number;
  /** `maskable` keeps the full bleed (the platform cuts its own shape); `any` gets rounded corners. */
  purpose: "any" | "maskable";
}

export const icons: IconFile[] = [
  { file: "icon-192.png", size: 192, purpose: "any" },
  { file: "icon-512.png", size: 512, purpose: "any" },
  { file: "maskable-192.png", size: 192, purpose: "maskable" },
  { file: "maskable-512.png", size: 512, purpose: "maskable" },
  // iOS ignores the manifest's icons and takes this one (it rounds it itself).
  { file: "apple-touch-icon.png", size: 180, purpose: "maskable" },
];

const source = fileURLToPath(new URL("../src/icon.svg", import.meta.url));
const out = fileURLToPath(new URL("../static/icons/", import.meta.url));

/** A rounded square as a mask: the logo's own corner (14 of 48). */
const corners = (size: number) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" rx="${(size * 14) / 48}"/></svg>`);

async function make({ file, size, purpose }: IconFile) {
  // Rendered at the size asked, not scaled from a bitmap: sharp rasterises the SVG at that density.
  const image = sharp(readFileSync(source), { density: (72 * size) / 48 }).resize(size, size);
  const shaped = purpose === "any" ? image.composite([{ input: corners(size), blend: "dest-in" }]) : image;
  await shaped.png().toFile(out + file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(out, { recursive: true });
  await Promise.all(icons.map(make));
  // The tab's icon, sharp at any size.
  copyFileSync(source, out + "icon.svg");
  console.log(`Made ${icons.length} icons in static/icons/ from src/icon.svg.`);
}

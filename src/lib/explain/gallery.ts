/** A PNG grid: one row per entry, caption lines above a row of equally sized tiles (sharp composite). */
import sharp from "sharp";
import { encodePng, ImageData8 } from "../data/image-io";
import { ImageData32 } from "../data/types";

export interface GalleryRow {
  caption: string[];
  tiles: (ImageData32 | ImageData8)[];
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `tile` is the tile width; `tileHeight` (default `tile`) keeps wide frames (Severstal 1:6.25) wide. */
export async function galleryPng(rows: readonly GalleryRow[], opts: { tile?: number; tileHeight?: number } = {}): Promise<Buffer> {
  if (rows.length === 0) throw new Error("galleryPng: no rows to show");
  const T = opts.tile ?? 128, TH = opts.tileHeight ?? T, GAP = 6, LINE = 15;
  const cols = Math.max(...rows.map((r) => r.tiles.length));
  const cap = LINE * Math.max(...rows.map((r) => r.caption.length)) + 4;
  const width = cols * T + (cols + 1) * GAP, rowH = cap + TH + GAP;
  const height = rows.length * rowH + GAP;
  const layers: sharp.OverlayOptions[] = [];
  const texts: string[] = [];
  for (const [r, row] of rows.entries()) {
    const y = GAP + r * rowH;
    for (const [c, img] of row.tiles.entries()) layers.push({ input: await encodePng(img, { height: TH, width: T }), left: GAP + c * (T + GAP), top: y + cap });
    row.caption.forEach((line, i) => texts.push(`<text x="${GAP}" y="${y + LINE * (i + 1) - 3}" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">${escapeXml(line)}</text>`));
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts.join("")}</svg>`;
  layers.unshift({ input: Buffer.from(svg), left: 0, top: 0 });
  return sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } }).composite(layers).png().toBuffer();
}

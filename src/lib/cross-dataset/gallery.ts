/**
 * Gallery PNG of zero-shot predictions: a row of hits (called the mapped class) and a row of misses,
 * each tile the image as the model saw it before the resize (frame or box crop) with the predicted
 * class and its probability underneath.
 */
import sharp from "sharp";
import { encodePng } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import { escapeHtml } from "../report/html";
import type { ItemPrediction } from "./zero-shot";

export interface GalleryTile {
  prediction: ItemPrediction;
  /** A thumbnail of the item (any size; drawn at the tile size). */
  thumb: ImageData32;
}

export async function zeroShotGalleryPng(tiles: readonly GalleryTile[], o: { perRow?: number; tile?: number; title?: string } = {}): Promise<Buffer> {
  const per = o.perRow ?? 8;
  const tw = o.tile ?? 120;
  const hits = tiles.filter((t) => t.prediction.hit).slice(0, per);
  const misses = tiles.filter((t) => !t.prediction.hit).slice(0, per);
  const left = 70;
  const head = 24;
  const cellH = tw + 34;
  const W = left + per * (tw + 6);
  const H = head + 2 * cellH;
  const layers: sharp.OverlayOptions[] = [];
  const texts: string[] = [`<text x="4" y="16" font-weight="bold">${escapeHtml(o.title ?? "zero-shot predictions")}</text>`];
  const rows: [string, GalleryTile[]][] = [["correct", hits], ["wrong", misses]];
  for (let r = 0; r < rows.length; r++) {
    const [name, list] = rows[r];
    const y = head + r * cellH;
    texts.push(`<text x="${left - 6}" y="${y + tw / 2}" text-anchor="end" font-weight="bold">${name}</text>`);
    if (list.length === 0) texts.push(`<text x="${left + 4}" y="${y + tw / 2}">(none)</text>`);
    for (let i = 0; i < list.length; i++) {
      const x = left + i * (tw + 6);
      layers.push({ input: await encodePng(list[i].thumb, { height: tw, width: tw }), left: x, top: y });
      const p = list[i].prediction;
      texts.push(`<text x="${x + tw / 2}" y="${y + tw + 13}" text-anchor="middle" font-size="11">${escapeHtml(p.predicted)} ${p.confidence.toFixed(2)}</text>`);
      texts.push(`<text x="${x + tw / 2}" y="${y + tw + 26}" text-anchor="middle" font-size="9" fill="#666">${escapeHtml(p.id.slice(-14))}</text>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g font-family="DejaVu Sans, Arial, sans-serif" font-size="12" fill="#222">${texts.join("")}</g></svg>`;
  return sharp({ create: { width: W, height: H, channels: 3, background: "#ffffff" } })
    .composite([...layers, { input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}

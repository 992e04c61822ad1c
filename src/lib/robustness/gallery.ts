/**
 * The perturbations shown on one image: a grid PNG, one row per kind, the clean frame then
 * severities 1..5, each tile labelled with the physical parameter that severity means.
 */
import sharp from "sharp";
import { encodePng } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import { escapeHtml } from "../report/html";
import { cameraOutput } from "./capture";
import { perturb, perturbationByName, PERTURBATION_KINDS } from "./registry";
import type { PerturbationKind } from "./types";

export interface GalleryOptions {
  kinds?: PerturbationKind[];
  severities?: number[];
  seed: number | string;
  /** Tile width in pixels (height keeps the aspect ratio); default 160. */
  tileWidth?: number;
}

/** Short label of a severity's main parameter, e.g. "g 0.64 γ 1.24" or "L 6 px". */
function label(kind: PerturbationKind, s: number, image: ImageData32): string {
  const p = perturbationByName(kind).parameters(s, image);
  const fmt = (v: number) => Number(v.toPrecision(3)).toString();
  switch (kind) {
    case "dim":
    case "bright":
      return `g ${fmt(p.gain)} γ ${fmt(p.gamma)}`;
    case "glare":
      return `A ${fmt(p.streakAmplitude)}, ${p.hotSpots} spots`;
    case "illumination":
      return `±${fmt(100 * p.gainAmplitude)} %`;
    case "noise":
      return `N ${fmt(p.photonsAtFullScale)}`;
    case "motion":
      return `L ${fmt(p.lengthPx)} px`;
    case "defocus":
      return `r ${fmt(p.radiusPx)} px`;
    case "jpeg":
      return `q ${p.quality}`;
  }
}

export async function perturbationGalleryPng(image: ImageData32, o: GalleryOptions): Promise<Buffer> {
  const kinds = o.kinds ?? PERTURBATION_KINDS;
  const severities = o.severities ?? [1, 2, 3, 4, 5];
  const tw = o.tileWidth ?? 160;
  const th = Math.max(1, Math.round((tw * image.height) / image.width));
  const head = 22;
  const left = 90;
  const cellH = th + 18;
  const W = left + (severities.length + 1) * (tw + 6);
  const H = head + kinds.length * cellH;
  const tiles: sharp.OverlayOptions[] = [];
  const texts: string[] = [];
  const tile = async (img: ImageData32) => encodePng(await cameraOutput(img, { height: th, width: tw }));
  const cleanTile = await tile(image);
  ["clean", ...severities.map((s) => `severity ${s}`)].forEach((t, j) => texts.push(`<text x="${left + j * (tw + 6) + tw / 2}" y="15" text-anchor="middle">${t}</text>`));
  for (let i = 0; i < kinds.length; i++) {
    const y = head + i * cellH;
    texts.push(`<text x="${left - 8}" y="${y + th / 2 + 4}" text-anchor="end" font-weight="bold">${kinds[i]}</text>`);
    tiles.push({ input: cleanTile, left, top: y });
    for (let j = 0; j < severities.length; j++) {
      const x = left + (j + 1) * (tw + 6);
      tiles.push({ input: await tile(await perturb(image, kinds[i], severities[j], o.seed)), left: x, top: y });
      texts.push(`<text x="${x + tw / 2}" y="${y + th + 13}" text-anchor="middle" font-size="11">${escapeHtml(label(kinds[i], severities[j], image))}</text>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g font-family="DejaVu Sans, Arial, sans-serif" font-size="12" fill="#222">${texts.join("")}</g></svg>`;
  return sharp({ create: { width: W, height: H, channels: 3, background: "#ffffff" } })
    .composite([...tiles, { input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}

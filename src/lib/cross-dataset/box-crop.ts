/** Square crop windows around VOC boxes, for the GC10 "boxes" view (frames are 2048×1000). */
import type { Box } from "../data/types";

/** Integer pixel window [x, x+size) × [y, y+size). */
export interface CropWindow {
  x: number;
  y: number;
  size: number;
}

/**
 * The square window around `box` grown by `margin` (fraction of the box's longer side), shifted
 * (not shrunk) to lie inside a width×height frame; shrunk only when the frame is smaller than the side.
 * A box longer than the frame's short side (real GC10 has 2045-px-wide welding-line boxes) cannot fit
 * a square inside the frame: it gets the largest square centred on it, which does NOT contain it.
 */
export function squareCrop(box: Box, width: number, height: number, margin = 0.2): CropWindow {
  const bw = box.xmax - box.xmin;
  const bh = box.ymax - box.ymin;
  if (!(bw > 0 && bh > 0)) throw new Error(`cross-dataset: empty box ${JSON.stringify(box)}`);
  const side = Math.min(Math.ceil(Math.max(bw, bh) * (1 + 2 * margin)), width, height);
  const cx = (box.xmin + box.xmax) / 2;
  const cy = (box.ymin + box.ymax) / 2;
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
  return {
    x: clamp(Math.round(cx - side / 2), width - side),
    y: clamp(Math.round(cy - side / 2), height - side),
    size: side,
  };
}

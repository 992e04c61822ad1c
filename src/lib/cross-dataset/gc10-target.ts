/**
 * The GC10 side of the zero-shot test: the images of one shared class (the class FOLDER, e.g. `7`
 * for inclusion — the write-up's 216 images) in two views:
 * - frame: the whole 2048×1000 frame, resized like NEU (fill, bilinear: the aspect ratio is NOT
 *   kept, as the write-up's Keras pipeline does not keep it);
 * - boxes: one square crop per annotated box of that class (margin, squared, inside the frame —
 *   box-crop.ts). A small defect in a large frame is a different task from a 200×200 defect patch.
 * Images in the folder without a box of the class are counted, and left out of the boxes view only.
 */
import type { Box, Dataset, ImageData32 } from "../data/types";
import { GC10_CLASSES } from "../data/gc10";
import { squareCrop, type CropWindow } from "./box-crop";
import type { SharedClass } from "./class-map";

export type TargetView = "frame" | "boxes";
export const TARGET_VIEWS: readonly TargetView[] = ["frame", "boxes"];

/** One model input of the target set: a frame, or one box crop of a frame. */
export interface TargetItem {
  /** `<image id>` (frame) or `<image id>#<k>` (k-th box of the class, 0-based). */
  id: string;
  imageId: string;
  path: string;
  view: TargetView;
  box?: Box;
  crop?: CropWindow;
}

export interface TargetSet {
  className: string;
  folder: string;
  /** Images in the class folder. */
  images: number;
  frames: TargetItem[];
  crops: TargetItem[];
  /** Folder images with no box of the class (not in `crops`). */
  withoutBox: string[];
}

/** The frame and box-crop items of `cls` in a loaded GC10 dataset; `margin` as squareCrop's. */
export function targetSet(ds: Dataset, cls: SharedClass, margin = 0.2): TargetSet {
  if (ds.name !== "gc10") throw new Error(`cross-dataset: the target must be a GC10 dataset, got ${ds.name}`);
  const name = GC10_CLASSES[cls.gc10];
  const samples = ds.samples.filter((s) => s.label === cls.gc10);
  const frames: TargetItem[] = [];
  const crops: TargetItem[] = [];
  const withoutBox: string[] = [];
  for (const s of samples) {
    frames.push({ id: s.id, imageId: s.id, path: s.path, view: "frame" });
    const boxes = (s.boxes ?? []).filter((b) => b.className === name);
    if (boxes.length === 0) withoutBox.push(s.id);
    const W = s.width || 2048;
    const H = s.height || 1000;
    boxes.forEach((b, k) => crops.push({ id: `${s.id}#${k}`, imageId: s.id, path: s.path, view: "boxes", box: b, crop: squareCrop(b, W, H, margin) }));
  }
  return { className: name, folder: String(cls.gc10 + 1), images: samples.length, frames, crops, withoutBox };
}

/** The window of an image (channel-last copy); the window must lie inside the image. */
export function cropImage(image: ImageData32, c: CropWindow): ImageData32 {
  const { width: W, height: H, channels: C } = image;
  if (c.x < 0 || c.y < 0 || c.x + c.size > W || c.y + c.size > H) throw new Error(`cross-dataset: crop ${JSON.stringify(c)} outside the ${W}×${H} image`);
  const out = new Float32Array(c.size * c.size * C);
  for (let y = 0; y < c.size; y++) {
    const src = ((c.y + y) * W + c.x) * C;
    out.set(image.data.subarray(src, src + c.size * C), y * c.size * C);
  }
  return { data: out, height: c.size, width: c.size, channels: C };
}

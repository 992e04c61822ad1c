/**
 * Connected components of a binary mask and removal of the small ones (minimum component size).
 * Own code: the project has no image-morphology dependency (sharp/opencv bindings label no
 * components), and a flood fill over a 256×1600 mask is ~20 lines.
 *
 * Masks are row-major H·W (index y·W + x), non-zero = foreground; one channel at a time.
 */

export type Connectivity = 4 | 8;

export interface Components {
  /** Component id per pixel, 0 = background, 1..count. */
  labels: Int32Array;
  /** Pixel count per component id (index 0 unused = 0). */
  sizes: number[];
  count: number;
}

/** Labels the foreground of `mask` [H·W] with 4- or 8-connectivity (iterative flood fill). */
export function connectedComponents(mask: ArrayLike<number>, height: number, width: number, connectivity: Connectivity = 8): Components {
  if (mask.length !== height * width) throw new Error(`connectedComponents: mask has ${mask.length} values, expected ${height}×${width}`);
  if (connectivity !== 4 && connectivity !== 8) throw new Error(`connectedComponents: connectivity must be 4 or 8, got ${connectivity}`);
  const labels = new Int32Array(height * width);
  const sizes = [0];
  const stack = new Int32Array(height * width);
  const dy = connectivity === 4 ? [-1, 1, 0, 0] : [-1, -1, -1, 0, 0, 1, 1, 1];
  const dx = connectivity === 4 ? [0, 0, -1, 1] : [-1, 0, 1, -1, 1, -1, 0, 1];
  for (let start = 0; start < labels.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const id = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const y = (p / width) | 0;
      const x = p - y * width;
      for (let k = 0; k < dy.length; k++) {
        const ny = y + dy[k];
        const nx = x + dx[k];
        if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
        const q = ny * width + nx;
        if (mask[q] && !labels[q]) {
          labels[q] = id;
          stack[top++] = q;
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes, count: sizes.length - 1 };
}

/** A copy of `mask` [H·W] (0/1) without the components smaller than `minSize` pixels. */
export function removeSmallComponents(mask: ArrayLike<number>, height: number, width: number, minSize: number, connectivity: Connectivity = 8): Uint8Array {
  const out = new Uint8Array(height * width);
  if (minSize <= 1) {
    for (let i = 0; i < out.length; i++) out[i] = mask[i] ? 1 : 0;
    return out;
  }
  const { labels, sizes } = connectedComponents(mask, height, width, connectivity);
  for (let i = 0; i < out.length; i++) out[i] = labels[i] && sizes[labels[i]] >= minSize ? 1 : 0;
  return out;
}

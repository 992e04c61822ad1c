/**
 * jpeg: compression artefacts — a camera or a plant network storing frames as JPEG at falling
 * quality (blocking, ringing, lost fine texture). Severity s: quality 75, 50, 30, 15, 8 (libjpeg
 * via sharp, 4:2:0 chroma for colour; grey images stay grey). Deterministic: the codec has no
 * randomness. Async (the codec runs off the main thread), so not usable inside a sync Transform.
 */
import sharp from "sharp";
import { checkSeverity } from "../../augment/types";
import { convertChannels, toUint8 } from "../../image-io";
import type { Perturbation } from "../types";

const QUALITY = [75, 50, 30, 15, 8];

export function jpegParameters(s: number): { quality: number } {
  checkSeverity(s);
  return { quality: QUALITY[s - 1] };
}

export const jpeg: Perturbation = {
  kind: "jpeg",
  meaning: "JPEG compression at falling quality (blocking, ringing, lost texture)",
  sync: false,
  parameters: (s) => jpegParameters(s),
  async apply(image, s) {
    const { quality } = jpegParameters(s);
    const u8 = toUint8(image);
    const C = u8.channels;
    if (C !== 1 && C !== 3) throw new Error(`jpeg perturbation: images with ${C} channels are not supported (1 or 3)`);
    let pipe = sharp(Buffer.from(u8.data.buffer, u8.data.byteOffset, u8.data.byteLength), { raw: { width: u8.width, height: u8.height, channels: C } });
    if (C === 1) pipe = pipe.toColourspace("b-w");
    const bytes = await pipe.jpeg({ quality, mozjpeg: false }).toBuffer();
    let back = sharp(bytes);
    if (C === 1) back = back.toColourspace("b-w");
    const raw = await back.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    return convertChannels(raw.data, raw.info.height, raw.info.width, raw.info.channels, C);
  },
};

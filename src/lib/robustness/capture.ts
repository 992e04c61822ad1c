/**
 * What the camera hands the model under a perturbation: the frame at its native resolution is
 * perturbed (the physics happens at capture), stored as 8 bits as a camera stores it, then
 * resized to the model's input exactly as the loader resizes (sharp, bilinear, fill). The clean
 * condition goes through the same path, so clean and perturbed scores compare like for like.
 */
import sharp from "sharp";
import { convertChannels, toUint8 } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import type { ImageSize } from "../data/views";

export async function cameraOutput(image: ImageData32, size: ImageSize | undefined): Promise<ImageData32> {
  const u8 = toUint8(image);
  if (!size || (size.height === image.height && size.width === image.width)) return convertChannels(u8.data, u8.height, u8.width, u8.channels, u8.channels);
  let pipe = sharp(Buffer.from(u8.data.buffer, u8.data.byteOffset, u8.data.byteLength), { raw: { width: u8.width, height: u8.height, channels: u8.channels as 1 | 3 } });
  pipe = pipe.resize(size.width, size.height, { fit: "fill", kernel: "linear" });
  if (u8.channels === 1) pipe = pipe.toColourspace("b-w");
  const raw = await pipe.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  return convertChannels(raw.data, raw.info.height, raw.info.width, raw.info.channels, u8.channels);
}

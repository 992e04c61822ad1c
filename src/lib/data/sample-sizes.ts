/**
 * Image sizes for samples whose labels did not give one (NEU-CLS has no XML; a GC10 image may lack
 * its XML), read from the image header. One helper for every loader, so an unreadable image is
 * handled the same way everywhere: strict throws the DataError naming the file, lenient leaves the
 * sample out and counts it (code `unreadable-image`).
 */
import { readImageSize } from "./image-io";
import { DataError, Sample, Skip, ValidationMode } from "./types";

/** Fills height/width where 0; returns the samples still usable (order kept). */
export async function fillImageSizes(samples: readonly Sample[], mode: ValidationMode, skipped: Skip[]): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const s of samples) {
    if (!(s.height > 0 && s.width > 0)) {
      try {
        const size = await readImageSize(s.path);
        s.height = size.height;
        s.width = size.width;
      } catch (err) {
        if (mode === "strict" || !(err instanceof DataError)) throw err;
        skipped.push({ file: s.path, id: s.id, reason: err.message, code: "unreadable-image" });
        continue;
      }
    }
    out.push(s);
  }
  return out;
}

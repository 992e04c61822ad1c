/**
 * NEU ↔ GC10 shared-class map for zero-shot cross-dataset evaluation (issue 18).
 * Only inclusion is an honest match: NEU "inclusion" and GC10 `7_yiwu` (folder 7) both name
 * non-metallic particles pressed into the surface. Not matched, and why:
 * - GC10 rolled_pit (8_yahen) vs NEU rolled-in_scale / pitted_surface: a pit dent is neither
 *   scale rolled into the strip nor a field of corrosion pits — similar words, different defect.
 * - GC10 water/oil/silk spots vs NEU patches: stains vs oxide patches; no shared definition.
 * - GC10 crease / waist_folding / crescent_gap / welding_line / punching_hole: no NEU class.
 * - NEU crazing / scratches: no GC10 class.
 */
import { GC10_CLASSES, GC10_PINYIN } from "../data/gc10";
import { NEU_CLASSES } from "../data/neu";

/** One shared class: NEU label index ↔ GC10 label index (folder = gc10 + 1). */
export interface SharedClass {
  name: string;
  neu: number;
  gc10: number;
}

/** The honest matches; index values come from the data layer's class lists, not literals. */
export const SHARED_CLASSES: readonly SharedClass[] = [
  { name: "inclusion", neu: NEU_CLASSES.indexOf("inclusion"), gc10: GC10_CLASSES.indexOf("inclusion") },
];

/** The shared class by name; a clear error for a class with no honest counterpart. */
export function sharedClass(name: string): SharedClass {
  const hit = SHARED_CLASSES.find((c) => c.name === name);
  if (!hit) throw new Error(`cross-dataset: "${name}" has no honest NEU↔GC10 match (shared: ${SHARED_CLASSES.map((c) => c.name).join(", ")})`);
  return hit;
}

/** GC10 folder name ("7") and canonical XML name ("7_yiwu") of a shared class. */
export function gc10Names(c: SharedClass): { folder: string; pinyin: string } {
  return { folder: String(c.gc10 + 1), pinyin: GC10_PINYIN[c.gc10] };
}

/**
 * The one CSV reader/writer of the data layer, over csv-parse / csv-stringify (sync APIs).
 * What this wrapper adds on top: the 1-based line where each record STARTS (quoted fields may
 * span lines; the header is line 1), blank lines dropped, a BOM ignored, and parser errors turned
 * into a DataError naming the file and line. Validation of the fields stays with the callers.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { DataError } from "./types";

/** One parsed record: raw (untrimmed) fields and the line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

interface CsvParseErrorLike {
  code?: string;
  lines?: number;
  message: string;
}

/**
 * Parses CSV text (LF or CRLF, RFC 4180 quotes; a stray quote inside an unquoted field is kept as
 * text). Records keep file order; column counts are NOT checked here (callers name the row).
 * An unclosed quote or other syntax error throws a DataError `file:line: ...`.
 */
export function readCsv(text: string, file: string): CsvRecord[] {
  let parsed: string[][];
  try {
    parsed = parse(text, { bom: true, relax_column_count: true, relax_quotes: true });
  } catch (e) {
    const err = e as CsvParseErrorLike;
    const line = typeof err.lines === "number" ? err.lines : undefined;
    throw new DataError(`${file}${line ? `:${line}` : ""}: malformed CSV (${err.message})`, file, line);
  }
  // csv-parse's own line counter counts a quoted CRLF twice, so lines are counted here: blank
  // lines come through as [""] records, and quoted fields keep their line breaks verbatim.
  const out: CsvRecord[] = [];
  let line = 1;
  for (const fields of parsed) {
    if (!(fields.length === 1 && fields[0].trim() === "")) out.push({ fields, line });
    line += 1;
    for (const f of fields) line += lineBreaks(f);
  }
  return out;
}

function lineBreaks(s: string): number {
  if (s.indexOf("\n") < 0 && s.indexOf("\r") < 0) return 0;
  return (s.match(/\r\n|\r|\n/g) ?? []).length;
}

/**
 * CSV text of `rows` (first row = header if wanted): LF line ends, a trailing newline, fields
 * quoted only when they hold a comma, quote, CR or LF (the bytes the split files always had).
 */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows as string[][], { record_delimiter: "\n", quoted_match: /\r/ });
}

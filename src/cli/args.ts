/**
 * A tiny, strict argument parser: unknown flags and bad values are one-line errors naming the
 * flag (the usage is one `--help` away). Every value is checked here, before any data loads.
 * Hand-written rather than node's util.parseArgs: that one has no number/integer types, no
 * required flags and no messages of this shape.
 */
export class CliError extends Error {}

/** "int": an integer >= 1; "positive": a number > 0; "number": any finite number. */
export type FlagType = "string" | "number" | "int" | "positive" | "boolean";

export interface ArgSpec {
  usage: string;
  flags: Record<string, FlagType>;
  /** Flags that must be given. */
  required?: string[];
  /** Allowed values of string flags. */
  choices?: Record<string, readonly string[]>;
  /** Positional arguments accepted (default 0: a stray word is an error). */
  positionals?: number;
}

export type ParsedArgs = Record<string, string | number | boolean> & { _: string[] };

/** Flags every data command accepts (see runCli and datasetFor). */
export const COMMON_FLAGS: Record<string, FlagType> = { debug: "boolean", lenient: "boolean" };

function commandName(usage: string): string {
  return usage.split(/\s/, 1)[0];
}

function checkNumber(key: string, type: FlagType, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new CliError(`--${key} must be a number, got "${value}"`);
  if (type === "int" && !(Number.isInteger(n) && n >= 1)) throw new CliError(`--${key} must be a whole number >= 1, got "${value}"`);
  if (type === "positive" && !(n > 0)) throw new CliError(`--${key} must be a number > 0, got "${value}"`);
  return n;
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { _: [] } as unknown as ParsedArgs;
  const help = `see '${commandName(spec.usage)} --help'`;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(`usage: ${spec.usage}`);
      process.exit(0);
    }
    if (!a.startsWith("--")) {
      if (out._.length >= (spec.positionals ?? 0)) throw new CliError(`unexpected argument "${a}"; ${help}`);
      out._.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    const type = spec.flags[key];
    if (!type) throw new CliError(`unknown option --${key}; ${help}`);
    if (type === "boolean") {
      if (inline !== undefined) throw new CliError(`--${key} takes no value`);
      out[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new CliError(`--${key} needs a value; ${help}`);
    if (type === "string") {
      const allowed = spec.choices?.[key];
      if (allowed && !allowed.includes(value)) throw new CliError(`--${key} must be one of ${allowed.join(", ")}, got "${value}"`);
      out[key] = value;
    } else out[key] = checkNumber(key, type, value);
  }
  for (const r of spec.required ?? []) {
    if (out[r] === undefined) throw new CliError(`--${r} is required; ${help}`);
  }
  return out;
}

/** A tiny, strict argument parser: unknown flags and bad values are errors that show the usage. */
export class CliError extends Error {}

export type FlagType = "string" | "number" | "boolean";

export interface ArgSpec {
  usage: string;
  flags: Record<string, FlagType>;
  /** Flags that must be given. */
  required?: string[];
}

export type ParsedArgs = Record<string, string | number | boolean> & { _: string[] };

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { _: [] } as unknown as ParsedArgs;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(`usage: ${spec.usage}`);
      process.exit(0);
    }
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    const type = spec.flags[key];
    if (!type) throw new CliError(`unknown option --${key}\nusage: ${spec.usage}`);
    if (type === "boolean") {
      out[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CliError(`--${key} needs a value\nusage: ${spec.usage}`);
    if (type === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new CliError(`--${key} must be a number, got "${value}"`);
      out[key] = n;
    } else out[key] = value;
  }
  for (const r of spec.required ?? []) {
    if (out[r] === undefined) throw new CliError(`--${r} is required\nusage: ${spec.usage}`);
  }
  return out;
}

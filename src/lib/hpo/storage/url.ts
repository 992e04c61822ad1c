/**
 * Storage URLs, as Optuna/SQLAlchemy spell them: `memory`, `sqlite:///relative/to/repo.db`
 * (`sqlite:////abs/path.db` for an absolute path), `postgresql://user[:password]@host[:port]/db`.
 * The password comes from the URL, else PGPASSWORD, else ~/.pgpass (the `pgpass` package that
 * `pg` itself ships) — and only ever reaches the driver: every printed form goes through redactUrl.
 */
import * as path from "path";
import { projectPaths } from "../../config/paths";
import { InMemoryStorage } from "./memory";
import { postgresDriver } from "./postgres";
import { SqlStorage } from "./sql-storage";
import { sqliteDriver } from "./sqlite";
import { Storage } from "./types";

/** The URL with any password replaced by `***` (also inside query strings such as ?password=). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, "$1:***@").replace(/([?&]password=)[^&]*/gi, "$1***");
}

/** Removes every occurrence of `secret` from a message (driver errors may echo connection info). */
export function scrub(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join("***") : message;
}

export function sqlitePathOf(url: string, root: string = projectPaths().root): string {
  const rest = url.slice("sqlite:///".length);
  if (!rest) throw new Error(`sqlite URL needs a file: sqlite:///outputs/hpo/NAME.db, got "${url}"`);
  return rest === ":memory:" ? rest : path.isAbsolute(rest) ? rest : path.join(root, rest);
}

interface PgPassInfo { host: string; port: number; database: string; user: string }

function pgpassLookup(info: PgPassInfo): Promise<string | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pgpass = require("pgpass") as (i: PgPassInfo, cb: (pass?: string) => void) => void;
  return new Promise((resolve) => pgpass(info, (pass) => resolve(pass ?? undefined)));
}

export async function openStorage(url: string, env: NodeJS.ProcessEnv = process.env): Promise<Storage> {
  if (url === "memory" || url === ":memory:") return new InMemoryStorage();
  if (url.startsWith("sqlite:///")) {
    const file = sqlitePathOf(url);
    return SqlStorage.open(sqliteDriver(file), `sqlite:///${file}`);
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    const info: PgPassInfo = {
      host: decodeURIComponent(u.hostname) || "localhost",
      port: Number(u.port || 5432),
      database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
      user: decodeURIComponent(u.username) || env.PGUSER || "postgres",
    };
    const password = (u.password ? decodeURIComponent(u.password) : undefined) ?? env.PGPASSWORD ?? (await pgpassLookup(info));
    const description = redactUrl(url);
    try {
      return await SqlStorage.open(postgresDriver({ ...info, password, connectionTimeoutMillis: 10_000 }), description);
    } catch (e) {
      throw new Error(`cannot open ${description}: ${scrub((e as Error).message, password)}`);
    }
  }
  throw new Error(`unknown storage URL "${redactUrl(url)}": use memory, sqlite:///outputs/hpo/NAME.db or postgresql://user@host:port/db`);
}

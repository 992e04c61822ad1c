/** Notebook view of the environment report (src/lib/runtime/environment.ts). */
import { backendLabel } from "../runtime/backend";
import type { EnvironmentReport } from "../runtime/environment";
import { showMarkdown, showTable } from "../report/display";

/** Notebook view of the report: the backend decision first, then versions and tools. */
export function showEnvironment(r: EnvironmentReport): void {
  if (r.backend) {
    showMarkdown(`**Backend: \`${backendLabel(r.backend)}\`**${r.backend.forced ? " (forced by STEEL_BACKEND)" : ""} — candidates in order of preference:`);
    showTable(r.backend.attempts.map((a) => ({ backend: a.backend, used: a.ok ? "✔" : "✘", why: a.reason })));
  }
  showTable(
    [
      { item: "node", value: `${r.node} (${r.platform}, ${r.cpus} cores, ${r.memoryGiB} GiB)` },
      { item: "seed", value: r.config.seed },
      { item: "profile", value: r.config.profile },
      ...Object.entries(r.versions).map(([k, v]) => ({ item: k, value: v ?? "MISSING" })),
    ],
    { caption: "Run configuration and package versions" },
  );
  showTable(
    r.tools.map((t) => ({ tool: t.name, status: t.ok ? "✔" : "✘", version: t.version ?? "", where: t.path ?? "", fix: t.ok ? "" : t.fix ?? "" })),
    { caption: "External tools" },
  );
}

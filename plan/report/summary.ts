/** The human-readable plan: resource counts per cell and tier, totals, findings. */
import { type Fleet } from "../../regions/fleet";
import { type Plan, type PlanResource, cellCodes } from "../plan";
import { formatTable } from "./table";

export interface CellCounts {
    readonly code: string;
    readonly region: string;
    /** Custom resources per tier (the cell's direct child component, by type name). */
    readonly tiers: Record<string, number>;
    readonly total: number;
}

export function countByCell(plan: Plan, fleet: Fleet): { cells: CellCounts[]; global: number; total: number } {
    const cells = cellCodes(plan.resources);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const counts = new Map<string, CellCounts>(fleet.cells.map((c) => [c.code, { code: c.code, region: c.region, tiers: {}, total: 0 }]));
    let global = 0;
    for (const r of plan.resources.filter((r) => r.custom)) {
        const code = cells.get(r.urn) ?? null;
        if (code === null) {
            global++;
            continue;
        }
        const entry = counts.get(code);
        if (!entry) throw new Error(`${r.urn} is in cell "${code}", which the config does not list`);
        const tier = tierOf(r, byUrn);
        entry.tiers[tier] = (entry.tiers[tier] ?? 0) + 1;
        (entry as { total: number }).total++;
    }
    const list = [...counts.values()].sort((a, b) => a.code.localeCompare(b.code));
    return { cells: list, global, total: plan.resources.filter((r) => r.custom).length };
}

/** The name of the cell's direct child component that holds `r` (e.g. "Network"). */
function tierOf(r: PlanResource, byUrn: Map<string, PlanResource>): string {
    let current: PlanResource | undefined = r;
    while (current) {
        const parent: PlanResource | undefined = current.parent ? byUrn.get(current.parent) : undefined;
        if (parent?.type === "platform:cell:RegionalCell") return current.custom ? "Other" : current.type.split(":").pop()!;
        current = parent;
    }
    return "Other";
}

export function formatSummary(plan: Plan, fleet: Fleet): string {
    const { cells, global, total } = countByCell(plan, fleet);
    const primaryRegion = fleet.primary.region;
    const tiers = [...new Set(cells.flatMap((c) => Object.keys(c.tiers)))].sort();
    const rows = [["Region", "Cell", "Primary", ...tiers, "Total"]];
    // A deployed cell outside the serving set takes no traffic (decommission: true; docs/regions.md).
    const serving = new Set(fleet.serving.map((c) => c.region));
    for (const c of cells) {
        rows.push([
            c.region,
            c.code,
            c.region === primaryRegion ? "yes" : serving.has(c.region) ? "" : "drained",
            ...tiers.map((t) => String(c.tiers[t] ?? 0)),
            String(c.total),
        ]);
    }
    rows.push(["Outside cells", "", "", ...tiers.map(() => ""), String(global)]);
    rows.push(["Total", "", "", ...tiers.map((t) => String(cells.reduce((s, c) => s + (c.tiers[t] ?? 0), 0))), String(total)]);
    const lines = [
        `Offline plan of ${plan.project}/${plan.stack}: ${cells.length} cell(s), ${total} resources (${plan.resources.length} with components)`,
        "",
        formatTable(rows, new Set([0, 1, 2])),
        "",
    ];
    const violations = plan.policy.violations;
    if (violations.length === 0) {
        lines.push("Policy: no violations");
    } else {
        lines.push(`Policy: ${violations.length} finding(s)`);
        for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}${v.urn ? `\n      ${v.urn}` : ""}`);
    }
    return lines.join("\n");
}

/** What a config change does: resources added, changed (by input) and removed, by URN. */
import { isDeepStrictEqual } from "node:util";
import { Plan, PlanResource, cellOf } from "./plan";

export interface Change {
    readonly urn: string;
    readonly type: string;
    /** Region code of the cell the resource is in, or null for global resources. */
    readonly cell: string | null;
    /** Top-level input keys whose values differ (changed resources only). */
    readonly keys: readonly string[];
}

export interface Comparison {
    readonly added: Change[];
    readonly changed: Change[];
    readonly removed: Change[];
}

export function compare(before: Plan, after: Plan): Comparison {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Map(after.resources.map((r) => [r.urn, r]));
    const oldCells = cellOf(before.resources);
    const newCells = cellOf(after.resources);
    const change = (r: PlanResource, cells: Map<string, string | null>, keys: string[] = []): Change => ({ urn: r.urn, type: r.type, cell: cells.get(r.urn) ?? null, keys });
    const result: Comparison = { added: [], changed: [], removed: [] };
    for (const r of after.resources) {
        const previous = old.get(r.urn);
        if (!previous) {
            result.added.push(change(r, newCells));
            continue;
        }
        const keys = [...new Set([...Object.keys(previous.inputs), ...Object.keys(r.inputs)])]
            .filter((k) => !isDeepStrictEqual(previous.inputs[k], r.inputs[k]))
            .sort();
        if (keys.length > 0 || previous.protect !== r.protect) result.changed.push(change(r, newCells, previous.protect !== r.protect ? [...keys, "(protect)"] : keys));
    }
    for (const r of before.resources) if (!now.has(r.urn)) result.removed.push(change(r, oldCells));
    return result;
}

export function formatComparison(result: Comparison, beforeName: string, afterName: string): string {
    const lines = [`Compare ${beforeName} → ${afterName}: ${result.added.length} added, ${result.changed.length} changed, ${result.removed.length} removed`];
    const groups = new Map<string, string[]>();
    const add = (c: Change, line: string) => {
        const group = c.cell ?? "global";
        if (!groups.has(group)) groups.set(group, []);
        groups.get(group)!.push(line);
    };
    for (const c of result.removed) add(c, `  - ${c.urn}`);
    for (const c of result.added) add(c, `  + ${c.urn}`);
    for (const c of result.changed) add(c, `  ~ ${c.urn} (${c.keys.join(", ")})`);
    for (const [group, entries] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push("", `${group}:`, ...entries);
    }
    return lines.join("\n");
}

/**
 * What a config change does: resources added, changed (by input) and removed, by URN, with
 * the data it would lose called out first, and the region removals that must not happen yet.
 */
import { isDeepStrictEqual } from "node:util";
import { isStateful, replaceTriggers } from "../regions/stateful";
import { type Plan, type PlanResource, cellCodes } from "./plan";

export interface Change {
    readonly urn: string;
    readonly type: string;
    /** Region code of the cell the resource is in, or null for global resources. */
    readonly cell: string | null;
    /**
     * Top-level input keys whose values differ (changed resources only), without the keys
     * the resource ignores (the engine keeps their old value); "(protect)" and
     * "(retainOnDelete)" when those options change.
     */
    readonly keys: readonly string[];
}

/** A stateful resource (regions/stateful.ts) that the change would delete or replace. */
export interface DataRisk {
    readonly urn: string;
    readonly type: string;
    readonly cell: string | null;
    /** `deleted`: removed and not retained; `replaced`: a replace-triggering input changes. */
    readonly action: "deleted" | "replaced";
    /** The replace-triggering inputs that change (replaced only). */
    readonly keys: readonly string[];
}

export interface Comparison {
    readonly added: Change[];
    readonly changed: Change[];
    readonly removed: Change[];
    /** Stateful resources deleted or replaced: data lost unless someone acts. */
    readonly atRisk: DataRisk[];
    /** Stateful, protected or retained resources removed from the stack but kept in AWS (`retainOnDelete`). */
    readonly retained: Change[];
    /** Codes of the cells in `before` that `after` no longer has. */
    readonly removedCells: string[];
    /**
     * Removed resources that are protected in `before`: the engine refuses to delete them
     * (even when retained) until they are unprotected (`pulumi state unprotect`).
     */
    readonly unprotect: string[];
}

const optionFlag = (name: string, a: boolean, b: boolean) => (a === b ? [] : [`(${name})`]);

export function compare(before: Plan, after: Plan): Comparison {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Map(after.resources.map((r) => [r.urn, r]));
    const oldCells = cellCodes(before.resources);
    const newCells = cellCodes(after.resources);
    const change = (r: PlanResource, cells: Map<string, string | null>, keys: string[] = []): Change => ({
        urn: r.urn,
        type: r.type,
        cell: cells.get(r.urn) ?? null,
        keys,
    });
    const result: Comparison = { added: [], changed: [], removed: [], atRisk: [], retained: [], removedCells: [], unprotect: [] };
    for (const r of after.resources) {
        const previous = old.get(r.urn);
        if (!previous) {
            result.added.push(change(r, newCells));
            continue;
        }
        // The engine applies the new program's ignoreChanges: an ignored input keeps its old value.
        const ignored = r.ignoreChanges ?? [];
        const inputs = [...new Set([...Object.keys(previous.inputs), ...Object.keys(r.inputs)])]
            .filter((k) => !isDeepStrictEqual(asJson(previous.inputs[k]), asJson(r.inputs[k])) && !ignored.includes(k))
            .sort();
        const keys = [
            ...inputs,
            ...optionFlag("protect", previous.protect, r.protect),
            ...optionFlag("retainOnDelete", previous.retainOnDelete ?? false, r.retainOnDelete ?? false),
        ];
        if (keys.length > 0) result.changed.push(change(r, newCells, keys));
        const triggers = replaceTriggers(r.type, inputs, ignored);
        if (isStateful(r.type) && triggers.length > 0)
            result.atRisk.push({ urn: r.urn, type: r.type, cell: newCells.get(r.urn) ?? null, action: "replaced", keys: triggers });
    }
    for (const r of before.resources) {
        if (now.has(r.urn)) continue;
        const removed = change(r, oldCells);
        result.removed.push(removed);
        if (r.protect) result.unprotect.push(r.urn);
        // Anything retained stays in AWS, data or not (a backup vault and its lock keep their name there).
        if (!isStateful(r.type) && !r.protect && !r.retainOnDelete) continue;
        if (r.retainOnDelete) result.retained.push(removed);
        else result.atRisk.push({ urn: r.urn, type: r.type, cell: removed.cell, action: "deleted", keys: [] });
    }
    const afterCells = new Set(after.resources.filter(isCell).map((r) => r.name));
    result.removedCells.push(
        ...before.resources
            .filter((r) => isCell(r) && !afterCells.has(r.name))
            .map((r) => r.name)
            .sort(),
    );
    return result;
}

const isCell = (r: { type: string }) => r.type === "platform:cell:RegionalCell";

/** A cell of the current config, as the removal rule needs it. */
export interface CurrentCell {
    readonly region: string;
    readonly code: string;
    readonly decommissioning: boolean;
}

/**
 * Why the change may not be applied: one message per removed region that the current
 * config has not marked `decommission: true` (docs/regions.md, "Remove a region"). Pure.
 */
export function removalProblems(
    result: Pick<Comparison, "removedCells">,
    current: readonly CurrentCell[],
    beforeName: string,
    afterName: string,
): string[] {
    return result.removedCells
        .map((code) => current.find((c) => c.code === code) ?? { region: code, code, decommissioning: false })
        .filter((c) => !c.decommissioning)
        .map(
            (c) =>
                `platform:regions: ${c.region} (${c.code}) is in ${beforeName} but not in ${afterName}, and ${beforeName} does not mark it decommission: true. ` +
                `Removing a region this way deletes its cell with its data. Safe order: (1) set decommission: true on ${c.region} in ${beforeName} and pulumi up (drains it, retains its data); ` +
                `(2) detach and snapshot its Aurora member; (3) then remove the entry and pulumi up. See docs/regions.md, "Remove a region".`,
        );
}

export function formatComparison(result: Comparison, beforeName: string, afterName: string, stack = beforeName): string {
    const lines = [
        `Compare ${beforeName} → ${afterName}: ${result.added.length} added, ${result.changed.length} changed, ${result.removed.length} removed`,
        "",
    ];
    // Data first: what this change would destroy, then what it only lets go of.
    if (result.atRisk.length === 0) {
        lines.push("Data at risk: none (no stateful resource is deleted or replaced)");
    } else {
        lines.push(`Data at risk (${result.atRisk.length}): these stateful resources would be DELETED or REPLACED (a new, empty one):`);
        for (const r of result.atRisk)
            lines.push(`  ! ${r.action === "deleted" ? "delete " : "replace"} ${r.urn}${r.keys.length ? ` (${r.keys.join(", ")})` : ""}`);
    }
    if (result.retained.length > 0) {
        lines.push("", `Retained (${result.retained.length}): removed from the stack, kept in AWS (retainOnDelete):`);
        for (const r of result.retained) lines.push(`  = ${r.urn}`);
        const vaults = result.retained.filter((r) => r.type === "aws:backup/vault:Vault" && r.cell !== null).map((r) => r.cell!);
        if (vaults.length > 0)
            lines.push(
                `  The backup vaults of ${vaults.join(", ")} keep their names in AWS: to add such a region back later, give its entry adoptBackupVault: true (docs/regions.md, "Add a region back").`,
            );
    }
    if (result.unprotect.length > 0) {
        lines.push(
            "",
            `Protected (${result.unprotect.length}): pulumi up refuses to delete these; once their data is safe (docs/regions.md), unprotect them first:`,
        );
        for (const urn of result.unprotect) lines.push(`  pulumi state unprotect -s ${stack} -y '${urn}'`);
    }
    if (result.removedCells.length > 0) lines.push("", `Regions removed: ${result.removedCells.join(", ")}`);
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

/**
 * An input as the plan JSON carries it: `--compare` plans the other config in a child process and
 * reads it back as JSON, so both sides are compared in that form (an asset archive in memory is
 * not a plain object, and would differ from its own JSON copy).
 */
function asJson(value: unknown): unknown {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

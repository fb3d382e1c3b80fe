/** The cost table of the offline plan: per cell and in total, at minimum and worst-case scale. */
import { type CostEstimate, type Range, round2 } from "../cost/estimate";
import { formatTable } from "./table";

/** "$12,345.67". */
export function usd(n: number): string {
    return `${n < 0 ? "-" : ""}$${Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function signed(n: number): string {
    return n > 0 ? `+${usd(n)}` : usd(n);
}

/**
 * The regions whose cells are priced partly at the us-east-1 figures, each with how many of its
 * lines are and how much of its minimum that is: "* at us-east-1 rates where the snapshot has no
 * figure: eu-central-1 (11 of 22 lines, $3,979.20 of $4,888.54, 81 %), …". A line count alone
 * understates it: the fallback lines are the large ones (instances). Empty when none.
 */
export function fallbackNote(cost: CostEstimate | undefined): string {
    const regions = new Map<string, { fallback: number; lines: number; usd: number; total: number }>();
    for (const cell of Object.values(cost?.cells ?? {})) {
        const fallback = cell.lines.filter((l) => l.fallback);
        if (fallback.length === 0) continue;
        const r = regions.get(cell.region) ?? { fallback: 0, lines: 0, usd: 0, total: 0 };
        regions.set(cell.region, {
            fallback: r.fallback + fallback.length,
            lines: r.lines + cell.lines.length,
            usd: round2(r.usd + fallback.reduce((s, l) => s + l.monthly.min, 0)),
            total: round2(r.total + cell.monthly.min),
        });
    }
    if (regions.size === 0) return "";
    const list = [...regions]
        .map(
            ([region, r]) =>
                `${region} (${r.fallback} of ${r.lines} lines, ${usd(r.usd)} of ${usd(r.total)} at minimum, ${Math.round((100 * r.usd) / r.total)} %)`,
        )
        .join(", ");
    return `* at us-east-1 rates where the snapshot (plan/cost/prices.ts) has no figure for the region: ${list}`;
}

type Line = CostEstimate["global"]["lines"][number];

/** Every line of the estimate, the cells' and the global ones. */
export const allLines = (cost: CostEstimate): Line[] => [...Object.values(cost.cells).flatMap((c) => c.lines), ...cost.global.lines];

/** "*" for a figure that adds a line priced at the us-east-1 figures (no regional figure in the snapshot), else "". */
const fallbackMark = (lines: readonly Line[]) => (lines.some((l) => l.fallback) ? "*" : "");

/**
 * A figure's marks: "*" if it adds a fallback-priced line, "†" if one resting on a price assumed, not
 * read from a source (prices.ts says what it rests on). Global lines are never fallback-priced.
 */
export const marks = (lines: readonly Line[]) => `${fallbackMark(lines)}${lines.some((l) => l.basis === "assumption") ? "†" : ""}`;

/** What "†" means, naming the assumed items; empty when none is. */
export function assumedNote(cost: CostEstimate): string {
    const items = [
        ...new Set(
            allLines(cost)
                .filter((l) => l.basis === "assumption")
                .map((l) => l.item),
        ),
    ];
    return items.length > 0
        ? `† rests on a price assumed, not read from a source (plan/cost/prices.ts says what it rests on): ${items.join(", ")}`
        : "";
}

/** When the prices used were read: "2026-12-02" or "2026-12-02 to 2026-12-03". */
function readDates(cost: CostEstimate): string {
    const dates = [...new Set(allLines(cost).map((l) => l.read))].sort();
    if (dates.length === 0) return cost.priceDate;
    return dates.length === 1 ? dates[0]! : `${dates[0]} to ${dates.at(-1)}`;
}

/** What the monthly figures are: prices, hours, the two scales (the text table's heading and the HTML note). */
export function costBasis(cost: CostEstimate): string {
    return `${cost.currency}, on-demand list prices read ${readDates(cost)}, ${cost.hoursPerMonth} h a month; min: normal users, node groups and Karpenter's API nodes at their minimum; worst case: each cell at its own worst tolerated failure, both at their maximum, summed: an upper bound, since no one failure loads every cell at once`;
}

export function formatCostTable(cost: CostEstimate): string {
    const rows = [["Region", "Cell", "Min / month", "Worst case / month", "Largest item at minimum / Cloudflare item"]];
    for (const cell of Object.values(cost.cells)) {
        const largest = [...cell.lines].sort((a, b) => b.monthly.min - a.monthly.min)[0];
        const estimated = marks(cell.lines);
        rows.push([
            cell.region,
            cell.code,
            `${usd(cell.monthly.min)}${estimated}`,
            `${usd(cell.monthly.worstCase)}${estimated}`,
            largest ? `${largest.item} ${usd(largest.monthly.min)}` : "",
        ]);
    }
    for (const line of cost.global.lines) {
        const m = marks([line]);
        rows.push(["Cloudflare", "", `${usd(line.monthly.min)}${m}`, `${usd(line.monthly.worstCase)}${m}`, line.item]);
    }
    const mark = marks(allLines(cost));
    rows.push(["Total", "", `${usd(cost.monthly.min)}${mark}`, `${usd(cost.monthly.worstCase)}${mark}`, ""]);
    rows.push(["Per 1,000 concurrent users", "", `${usd(cost.per1000Users.min)}${mark}`, `${usd(cost.per1000Users.worstCase)}${mark}`, ""]);
    const fallbacks = fallbackNote(cost);
    const assumed = assumedNote(cost);
    return [
        `Monthly cost (${costBasis(cost)})`,
        formatTable(rows, new Set([0, 1, 4])),
        ...(fallbacks ? [fallbacks] : []),
        ...(assumed ? [assumed] : []),
        `${cost.assumptions.length} assumption(s) behind the figures (the plan JSON's cost.assumptions; docs/cost.md)`,
        ...(cost.unpriced.length > 0 ? [`Not priced (${cost.unpriced.length}):`, ...cost.unpriced.map((u) => `  - ${u}`)] : []),
        `Not in the totals (${cost.notModeled.length}): ${cost.notModeled.join("; ")}`,
    ].join("\n");
}

/** One cell's lines, for the report and for checking a figure by hand. */
export function formatCellCost(cost: CostEstimate, code: string): string {
    const cell = cost.cells[code];
    const rows = [["Item", "Quantity min/worst", "Unit price", "Min / month", "Worst case / month"]];
    for (const l of cell.lines) {
        rows.push([
            `${l.item}${marks([l])}`,
            `${l.quantity.min}/${l.quantity.worstCase}`,
            `$${l.unitUsd} / ${l.unit}`,
            usd(l.monthly.min),
            usd(l.monthly.worstCase),
        ]);
    }
    rows.push(["Total", "", "", usd(cell.monthly.min), usd(cell.monthly.worstCase)]);
    return formatTable(rows, new Set([0, 2]));
}

/** What a change of config does to the monthly cost, per cell and in total. */
export function formatCostDelta(before: CostEstimate, after: CostEstimate): string {
    const codes = [...new Set([...Object.keys(before.cells), ...Object.keys(after.cells)])];
    const zero: Range = { min: 0, worstCase: 0 };
    const rows = [["Cell", "Min / month", "Worst case / month"]];
    const delta = (a: Range, b: Range): Range => ({ min: round2(b.min - a.min), worstCase: round2(b.worstCase - a.worstCase) });
    for (const code of codes) {
        const d = delta(before.cells[code]?.monthly ?? zero, after.cells[code]?.monthly ?? zero);
        if (d.min === 0 && d.worstCase === 0) continue;
        const note = !before.cells[code] ? " (added)" : !after.cells[code] ? " (removed)" : "";
        const cell = after.cells[code] ?? before.cells[code];
        const mark = fallbackMark(cell.lines);
        rows.push([`${code}${note}`, `${signed(d.min)}${mark}`, `${signed(d.worstCase)}${mark}`]);
    }
    const g = delta(before.global.monthly, after.global.monthly);
    if (g.min !== 0 || g.worstCase !== 0) rows.push(["Cloudflare", signed(g.min), signed(g.worstCase)]);
    const t = delta(before.monthly, after.monthly);
    const mark = fallbackMark([...allLines(before), ...allLines(after)]);
    rows.push(["Total", `${signed(t.min)}${mark}`, `${signed(t.worstCase)}${mark}`]);
    const note = fallbackNote(after);
    return [
        `Cost change: ${usd(before.monthly.min)} → ${usd(after.monthly.min)} a month at minimum scale, ${usd(before.monthly.worstCase)} → ${usd(after.monthly.worstCase)} at worst case`,
        formatTable(rows, new Set([0])),
        ...(note ? [note] : []),
    ].join("\n");
}

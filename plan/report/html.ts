/**
 * The plan as one self-contained HTML page (`--html FILE`): summary, capacity, steering and cost
 * tables, policy findings, the topology diagram rendered in the page, and with `--compare` the
 * changes, data at risk first. Nothing is fetched at view time: the styles are inline and
 * Mermaid's browser bundle is embedded (its source read from node_modules when the page is
 * written). Every table cell carries a `data-*` hook the browser test reads.
 */
import { readFileSync } from "node:fs";
import { formatRpo } from "../../regions/recovery";
import { type Stack } from "../../stack/parse";
import { type Comparison } from "../compare";
import { type CostEstimate } from "../cost/estimate";
import { type Plan, cellCodes } from "../plan";
import { type CloudRuleReport } from "../rules";
import { failureLabel } from "./capacityTable";
import { allLines, assumedNote, costBasis, fallbackNote, marks, usd } from "./costTable";
import { mermaid } from "./diagram";

const escape = (text: string) =>
    text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function table(id: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
    return [
        `<table id="${id}">`,
        `<thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join("")}</tr></thead>`,
        `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("\n")}</tbody>`,
        "</table>",
    ].join("\n");
}

/** Mermaid's browser bundle, to embed in the page. */
export function mermaidBundle(): string {
    return readFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "utf8");
}

export interface HtmlInput {
    readonly plan: Plan;
    readonly stack: Stack;
    /** The comparison with another config (`--compare`), and its name and cost. */
    readonly comparison?: {
        readonly name: string;
        readonly diff: Comparison;
        readonly cost: CostEstimate;
        /** The cloud rules the update breaks (`checkTransitionRules`) and the other plan's own. */
        readonly transition?: CloudRuleReport;
        /** Why the update is refused (a region removed before it was decommissioned). */
        readonly refusals?: readonly string[];
    };
    /** Mermaid's bundle source (mermaidBundle()); a parameter so tests can count on it. */
    readonly mermaidJs: string;
}

/** A cloud-rule report's findings as rows of the findings table (level, rule, message, URN). */
function cloudRuleRows(report: CloudRuleReport, where: string): string[][] {
    return [
        ...report.violations.map((v) => ["mandatory", `cloud rule ${v.rule} (${where})`, v.message, v.urn]),
        ...report.known.map((v) => ["known", `cloud rule ${v.rule} (${where}; ${v.known})`, v.message, v.urn]),
    ];
}

export function renderHtml({ plan, stack, comparison, mermaidJs }: HtmlInput): string {
    const { fleet } = stack;
    const cells = cellCodes(plan.resources);
    const custom = plan.resources.filter((r) => r.custom);
    const perCell = fleet.cells.map((c) => [
        c.region,
        c.code,
        c.primary ? "primary" : c.decommissioning ? "drained" : "secondary",
        String(custom.filter((r) => cells.get(r.urn) === c.code).length),
    ]);
    perCell.push(["Outside cells", "", "", String(custom.filter((r) => cells.get(r.urn) === null).length)]);
    perCell.push(["Total", "", "", String(custom.length)]);

    const capacity = fleet.capacity.cells.map((c) => [
        c.region,
        c.code,
        c.normalUsers.toLocaleString("en-US"),
        c.worstCaseUsers.toLocaleString("en-US"),
        failureLabel(c.worstCaseFailure),
        `${c.pods.min}/${c.pods.max}`,
        String(c.warmPods),
        `${c.nodesPerAz.min * c.azs}/${c.nodesPerAz.max * c.azs}`,
        String(c.readers),
        String(c.cacheShards),
    ]);
    const depth = fleet.serving.length;
    const steering = Object.entries(plan.steering.regions).map(([cf, order]) => [
        cf,
        ...order,
        ...Array(Math.max(0, depth - order.length)).fill(""),
    ]);
    steering.push(["Writes, default", ...plan.steering.defaultPools]);
    steering.push(["Fallback pool", plan.steering.fallbackPool, ...Array(depth - 1).fill("")]);

    const cost = plan.cost;
    // "*": some of the figures are the us-east-1 price (no regional figure in the snapshot), as in the text table.
    const costRows = Object.values(cost.cells).map((c) => [
        c.region,
        c.code,
        `${usd(c.monthly.min)}${marks(c.lines)}`,
        `${usd(c.monthly.worstCase)}${marks(c.lines)}`,
    ]);
    for (const l of cost.global.lines) {
        const m = marks([l]);
        costRows.push([l.item, "", `${usd(l.monthly.min)}${m}`, `${usd(l.monthly.worstCase)}${m}`]);
    }
    const mark = marks(allLines(cost));
    costRows.push(["Total", "", `${usd(cost.monthly.min)}${mark}`, `${usd(cost.monthly.worstCase)}${mark}`]);
    costRows.push(["Per 1,000 concurrent users", "", `${usd(cost.per1000Users.min)}${mark}`, `${usd(cost.per1000Users.worstCase)}${mark}`]);

    const recovery = plan.recovery.rows.map((r) => [r.failure, formatRpo(r), `${r.rtoSeconds} s`, r.basis]);
    const findings = [
        ...plan.policy.violations.map((v) => [v.enforcementLevel, v.policy, v.message, v.urn ?? ""]),
        ...cloudRuleRows(plan.cloudRules, "plan"),
        ...(comparison?.transition ? cloudRuleRows(comparison.transition, `compare → ${comparison.name}`) : []),
        ...(comparison?.refusals ?? []).map((r) => ["refused", "region-removal", r, ""]),
    ];
    const diagram = mermaid(plan, stack)
        .split("\n")
        .filter((l) => !l.startsWith("```") && !l.startsWith("#"))
        .join("\n")
        .trim();

    const compareSection = comparison
        ? [
              `<h2>Changes: ${escape(plan.stack)} → ${escape(comparison.name)}</h2>`,
              `<p>${comparison.diff.added.length} added, ${comparison.diff.changed.length} changed, ${comparison.diff.removed.length} removed; cost ${usd(cost.monthly.min)} → ${usd(comparison.cost.monthly.min)} a month at minimum scale.</p>`,
              "<h3>Data at risk</h3>",
              comparison.diff.atRisk.length === 0
                  ? `<p id="at-risk-none">No stateful resource is deleted or replaced.</p>`
                  : table(
                        "at-risk",
                        ["Action", "Cell", "Type", "URN", "Inputs"],
                        comparison.diff.atRisk.map((r) => [r.action, r.cell ?? "global", r.type, r.urn, r.keys.join(", ")]),
                    ),
              "<h3>Added, changed, removed</h3>",
              table(
                  "changes",
                  ["Change", "Cell", "URN", "Inputs"],
                  [
                      ...comparison.diff.removed.map((c) => ["removed", c.cell ?? "global", c.urn, ""]),
                      ...comparison.diff.changed.map((c) => ["changed", c.cell ?? "global", c.urn, c.keys.join(", ")]),
                      ...comparison.diff.added.map((c) => ["added", c.cell ?? "global", c.urn, ""]),
                  ],
              ),
          ].join("\n")
        : "";

    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(`${plan.project}/${plan.stack}: offline plan`)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
#diagram { overflow-x: auto; border: 1px solid #ddd; padding: 1em; }
.note { color: #555; }
</style>
</head>
<body>
<h1>${escape(`${plan.project}/${plan.stack}`)}: offline plan</h1>
<h2>Summary</h2>
${table("summary", ["Region", "Cell", "Role", "Resources"], perCell)}
<h2>Topology</h2>
<div id="diagram"><pre class="mermaid">${escape(diagram)}</pre></div>
<h2>Capacity</h2>
<p class="note">${fleet.capacity.targetConcurrentUsers.toLocaleString("en-US")} concurrent users at ${fleet.capacity.usersPerPod} per pod, sized to carry them with ${fleet.capacity.regionFailuresTolerated} region(s) down.</p>
${table("capacity", ["Region", "Cell", "Normal users", "Worst-case users", "Worst case when", "Pods min/max", "Warm pods", "Nodes min/max", "Readers", "Cache shards"], capacity)}
<h2>Traffic steering</h2>
<p class="note">${escape(plan.steering.policy)} steering; each row is also the failover order.</p>
${table("steering", ["Cloudflare region", ...Array.from({ length: depth }, (_, i) => `#${i + 1}`)], steering)}
<h2>Monthly cost</h2>
<p class="note" id="cost-note">${escape(costBasis(cost))}. ${cost.assumptions.length} assumptions (docs/cost.md).${fallbackNote(cost) ? ` ${escape(fallbackNote(cost))}.` : ""}${assumedNote(cost) ? ` ${escape(assumedNote(cost))}.` : ""}</p>
${table("cost", ["Region / item", "Cell", "Min / month", "Worst case / month"], costRows)}
<p class="note" id="cost-not-priced">Not in the totals: ${escape([...cost.unpriced, ...cost.notModeled].join("; "))}.</p>
<h2>Recovery objectives (data tier)</h2>
<p class="note">RPO: worst-case acknowledged writes lost; RTO: how long writes stop (reads keep being served by the other cells). Each row names what it rests on.</p>
${table("recovery", ["Failure", "RPO", "RTO", "Rests on"], recovery)}
<h2>Policy and cloud-rule findings</h2>
${findings.length === 0 ? `<p id="findings-none">No finding.</p>` : table("findings", ["Level", "Policy", "Message", "URN"], findings)}
${compareSection}
<script>${mermaidJs.replace(/<\/script/gi, "<\\/script")}</script>
<script>
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: true } });
mermaid.run({ querySelector: "pre.mermaid" }).then(
  () => document.body.setAttribute("data-diagram", "rendered"),
  (err) => { document.body.setAttribute("data-diagram", "failed"); document.body.setAttribute("data-diagram-error", String(err)); },
);
</script>
</body>
</html>
`;
}

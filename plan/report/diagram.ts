/** A Mermaid diagram of the topology: users → edge → one subgraph per cell with its tiers. */
import { type Stack } from "../../stack/parse";
import { type Plan } from "../plan";

export function mermaid(plan: Plan, { config, fleet }: Stack): string {
    const parents = new Map(plan.resources.map((r) => [r.urn, r.parent]));
    const counts = new Map<string, number>();
    for (const r of plan.resources.filter((r) => r.custom)) {
        for (let p = parents.get(r.urn) ?? null; p !== null; p = parents.get(p) ?? null) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const lines = ["```mermaid", "flowchart LR", `  users((Users)) --> edge["Cloudflare: ${config.domain}"]`];
    const cellUrns = new Map(plan.resources.filter((r) => r.type === "platform:cell:RegionalCell").map((r) => [r.name, r.urn]));
    for (const cell of fleet.cells) {
        const urn = cellUrns.get(cell.code);
        lines.push(`  subgraph ${cell.code}["${cell.region}${cell.primary ? " (primary)" : ""}"]`);
        for (const tier of plan.resources.filter((r) => r.parent === urn && !r.custom)) {
            lines.push(
                `    ${tier.name.replace(/[^A-Za-z0-9_]/g, "_")}["${tier.type.split(":").pop()}: ${counts.get(tier.urn) ?? 0} resources"]`,
            );
        }
        lines.push("  end", `  edge --> ${cell.code}`);
    }
    lines.push("```");
    return `# ${plan.project}/${plan.stack} topology\n\n${lines.join("\n")}\n`;
}

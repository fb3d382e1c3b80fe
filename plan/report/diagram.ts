/**
 * A Mermaid diagram of how the fleet works: users → the Cloudflare load balancer (its steering,
 * which Cloudflare regions go first to each pool) → each cell's ALB → the API pods (HPA min–max)
 * → RDS Proxy → the Aurora member (writer or secondary, readers) and the cache; the global
 * database's replication from the primary to each secondary; the failover order of writes;
 * drained cells marked. Sizes are the capacity model's, so the picture and the tables agree.
 */
import { type Stack } from "../../stack/parse";
import { type Plan } from "../plan";

/** Mermaid ids: letters, digits and underscores. */
const id = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_");
/** A label inside `["…"]`: Mermaid ends it at a double quote, so none may appear in it. */
const label = (text: string) => text.replace(/"/g, "'");

export function mermaid(plan: Plan, { config, fleet }: Stack): string {
    const steering = plan.steering;
    const firsts = new Map<string, string[]>();
    for (const [cfRegion, order] of Object.entries(steering.regions)) {
        const first = order[0];
        if (first !== undefined) firsts.set(first, [...(firsts.get(first) ?? []), cfRegion]);
    }
    const byRegion = new Map(fleet.cells.map((c) => [c.region, c]));
    const writeOrder = steering.defaultPools.map((r) => byRegion.get(r)?.code ?? r);
    const lines = [
        "```mermaid",
        "flowchart LR",
        `  users(("Users: ${fleet.capacity.targetConcurrentUsers.toLocaleString("en-US")} concurrent"))`,
        `  lb{{"Cloudflare LB ${label(config.domain)}<br/>${steering.policy} steering, sticky sessions<br/>writes: ${writeOrder.join(" → ")}<br/>fallback: ${byRegion.get(steering.fallbackPool)?.code ?? steering.fallbackPool}"}}`,
        "  users --> lb",
    ];
    const primary = fleet.primary;
    for (const cell of fleet.cells) {
        const c = cell.capacity;
        const code = id(cell.code);
        const drained = cell.decommissioning;
        const role = cell.primary ? "primary: Aurora writer" : "secondary";
        lines.push(`  subgraph ${code}["${cell.region} · ${cell.code} · ${drained ? "DRAINED (decommissioning)" : role}"]`);
        lines.push("    direction LR");
        lines.push(`    ${code}_alb["ALB"]`);
        lines.push(
            `    ${code}_pods["API pods ${c.pods.min}–${c.pods.max}${c.warmPods > 0 ? ` + ${c.warmPods} warm` : ""}<br/>nodes ${c.nodesPerAz.min * c.azs}–${c.nodesPerAz.max * c.azs} in ${c.azs} AZs"]`,
        );
        lines.push(`    ${code}_proxy["RDS Proxy"]`);
        lines.push(
            `    ${code}_db[("Aurora ${cell.primary ? "writer" : "secondary"}<br/>+ ${c.readers} readers")]`,
            `    ${code}_cache[("Valkey ${c.cacheShards} shards")]`,
            `    ${code}_alb --> ${code}_pods --> ${code}_proxy --> ${code}_db`,
            `    ${code}_pods --> ${code}_cache`,
            "  end",
        );
        const first = firsts.get(cell.region) ?? [];
        if (drained) lines.push(`  lb -. "drained: no traffic" .-> ${code}_alb`);
        else lines.push(`  lb -- "${first.length > 0 ? `first for ${first.join(" ")}` : "failover only"}" --> ${code}_alb`);
        if (drained) lines.push(`  style ${code} stroke-dasharray: 5 5`);
    }
    // One label for all the replication arrows: at 11 regions ten copies of it hid the boxes.
    fleet.cells
        .filter((c) => !c.primary)
        .forEach((cell, i) =>
            lines.push(`  ${id(primary.code)}_db ${i === 0 ? `== "global database replication" ==>` : "==>"} ${id(cell.code)}_db`),
        );
    lines.push(`  style ${id(primary.code)} stroke-width:3px`);
    lines.push("```");
    return `# ${plan.project}/${plan.stack} topology\n\n${lines.join("\n")}\n`;
}

/**
 * The traffic-steering part of the plan, printed as one row per Cloudflare region: the
 * fleet's steering plan, the same object the Edge component declares its load balancer from.
 */
import { CLOUDFLARE_REGIONS } from "../../regions/catalog";
import { type SteeringPlan } from "../../regions/steering";
import { formatTable } from "./table";

const ORDINALS = ["1st", "2nd", "3rd"];
const ordinal = (i: number) => ORDINALS[i] ?? `${i + 1}th`;

/**
 * The steering table as printed by `npm run plan`, e.g.
 *
 *     Traffic steering (proximity; each row is also the failover order)
 *     Cloudflare region  1st           2nd           3rd
 *     WNAM               us-east-1     eu-central-1  ap-southeast-1
 *     ...
 *     Writes, default    us-east-1     eu-central-1  ap-southeast-1
 *     Fallback pool      us-east-1
 */
export function formatSteering(steering: SteeringPlan): string {
    const count = steering.defaultPools.length;
    const rows: string[][] = [["Cloudflare region", ...Array.from({ length: count }, (_, i) => ordinal(i))]];
    for (const r of CLOUDFLARE_REGIONS) rows.push([r, ...steering.regions[r]]);
    rows.push(["Writes, default", ...steering.defaultPools]);
    rows.push(["Fallback pool", steering.fallbackPool]);
    return [`Traffic steering (${steering.policy}; each row is also the failover order)`, formatTable(rows)].join("\n");
}

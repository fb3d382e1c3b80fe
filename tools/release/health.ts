/**
 * The health gate of a release: every cell it has reached so far (and the wave about to start)
 * is healthy when its Cloudflare pool is, as Cloudflare judges it (tools/pools.ts), and none of
 * its SLO alarms (the ALB's 5xx and p99 latency) is in ALARM. A drained cell has no pool: its
 * alarms alone decide. An alarm that does not exist, or an API that does not answer, is a
 * failure: a release never continues blind.
 */
import { type PoolApi } from "../pools";
import { type AlarmApi } from "./cloudwatch";

export interface WatchedCell {
    readonly code: string;
    readonly region: string;
    readonly pool?: string;
    readonly alarms: readonly string[];
}

export interface HealthApis {
    readonly pools: PoolApi;
    readonly alarms: AlarmApi;
}

/** What is wrong with `cells` now, one line each; [] when every one is healthy. */
export async function healthProblems(cells: readonly WatchedCell[], apis: HealthApis): Promise<string[]> {
    const problems: string[] = [];
    const pooled = cells.filter((c) => c.pool !== undefined);
    if (pooled.length > 0) {
        try {
            const pools = await apis.pools.list();
            for (const cell of pooled) {
                const pool = pools.find((p) => p.name === cell.pool);
                if (!pool) {
                    problems.push(`${cell.code}: Cloudflare has no pool named ${cell.pool}`);
                    continue;
                }
                const health = await apis.pools.health(pool.id);
                if (health.healthy === false) problems.push(`${cell.code}: Cloudflare pool ${cell.pool} is unhealthy`);
                else if (health.healthy === null)
                    problems.push(`${cell.code}: no Cloudflare data centre reports pool ${cell.pool}'s health`);
            }
        } catch (err) {
            problems.push(`Cloudflare pools: ${(err as Error).message}`);
        }
    }
    for (const cell of cells) {
        try {
            const states = await apis.alarms.states(cell.region, cell.alarms);
            for (const name of cell.alarms) {
                const state = states.get(name);
                if (state === undefined) problems.push(`${cell.code}: alarm ${name} does not exist in ${cell.region}`);
                else if (state === "ALARM") problems.push(`${cell.code}: alarm ${name} is in ALARM`);
            }
        } catch (err) {
            problems.push(`${cell.code}: ${(err as Error).message}`);
        }
    }
    return problems;
}

/**
 * The health gate of a release: every cell it has reached so far (and the wave about to start)
 * is healthy when its Cloudflare pool is, as Cloudflare judges it (tools/pools.ts), none of its
 * SLO alarms (the ALB's 5xx and p99 latency) is in ALARM, and its ALB's 5xx over the window
 * (GetMetricData) stay under `platform:release.max5xxPercent` of its requests: a small cell can
 * stay under the alarms' fixed counts per minute while failing a large share of its requests. An
 * alarm that does not exist, or an API that does not answer, is a failure: a release never
 * continues blind. An alarm in INSUFFICIENT_DATA, or a pooled cell with no request in the window,
 * is not judged yet: pending, which a bake waits out and which fails it at its end.
 */
import { type PoolApi } from "../pools";
import { type AlarmApi, type AlarmInfo, type MetricSum } from "./cloudwatch";
import { type ImageApi } from "./ecr";

export interface WatchedCell {
    readonly code: string;
    readonly region: string;
    readonly pool?: string;
    /** The SLO alarms: elb 5xx, target 5xx, p99 latency (targets.ts SLO_ALARM_KEYS order). */
    readonly alarms: readonly string[];
}

export interface HealthApis {
    readonly pools: PoolApi;
    readonly alarms: AlarmApi;
    readonly images: ImageApi;
}

export interface Health {
    /** What is wrong now, one line each. */
    readonly problems: string[];
    /** What cannot be judged yet (no data), one line each. */
    readonly pending: string[];
}

/** The ratio check's window and limit. */
export interface RateCheck {
    /** ms since the epoch */
    readonly start: number;
    readonly end: number;
    /** 5xx as a percentage of requests above which a cell is unhealthy. */
    readonly max5xxPercent: number;
}

/**
 * ALB metrics (AWS/ApplicationELB, dimension LoadBalancer; Sum is their meaningful statistic):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
const ALB_NAMESPACE = "AWS/ApplicationELB";
const RATE_METRICS = ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"] as const;

/** What is wrong with `cells` now, and what is not judged yet. */
export async function cellHealth(cells: readonly WatchedCell[], apis: HealthApis, rate: RateCheck): Promise<Health> {
    const problems: string[] = [];
    const pending: string[] = [];
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
        let states: Map<string, AlarmInfo>;
        try {
            states = await apis.alarms.states(cell.region, cell.alarms);
        } catch (err) {
            problems.push(`${cell.code}: ${(err as Error).message}`);
            continue;
        }
        for (const name of cell.alarms) {
            const alarm = states.get(name);
            if (alarm === undefined) problems.push(`${cell.code}: alarm ${name} does not exist in ${cell.region}`);
            else if (alarm.state === "ALARM") problems.push(`${cell.code}: alarm ${name} is in ALARM`);
            else if (alarm.state === "INSUFFICIENT_DATA") pending.push(`${cell.code}: alarm ${name} has insufficient data`);
        }
        const balancer = states.get(cell.alarms[0])?.dimensions.LoadBalancer;
        if (balancer === undefined) {
            if (states.has(cell.alarms[0])) problems.push(`${cell.code}: alarm ${cell.alarms[0]} names no LoadBalancer dimension`);
            continue;
        }
        try {
            const metrics: MetricSum[] = RATE_METRICS.map((metricName) => ({
                namespace: ALB_NAMESPACE,
                metricName,
                dimensions: { LoadBalancer: balancer },
            }));
            const [elb5xx, target5xx, requests] = await apis.alarms.sums(cell.region, metrics, rate.start, rate.end);
            const minutes = Math.max(1, Math.round((rate.end - rate.start) / 60_000));
            if (requests === 0) {
                // A drained cell (no pool) takes no traffic: nothing to judge, and nothing wrong.
                if (cell.pool !== undefined) pending.push(`${cell.code}: no request reached its ALB in the last ${minutes} min`);
                if (elb5xx + target5xx > 0)
                    problems.push(`${cell.code}: ${elb5xx + target5xx} 5xx and no request counted in ${minutes} min`);
                continue;
            }
            const percent = (100 * (elb5xx + target5xx)) / requests;
            if (percent > rate.max5xxPercent)
                problems.push(
                    `${cell.code}: ${percent.toFixed(3)} % of its requests got a 5xx in the last ${minutes} min (${elb5xx + target5xx} of ${requests}; the limit is ${rate.max5xxPercent} %, platform:release.max5xxPercent)`,
                );
        } catch (err) {
            problems.push(`${cell.code}: ${(err as Error).message}`);
        }
    }
    return { problems, pending };
}

/**
 * What a release needs of the offline plan (`npm run plan -- --json`), per cell: the URNs that
 * `pulumi up --target` must list (the cell's component and everything under it: a child's URN
 * carries its parents' types, not their names, so no URN pattern tells one cell's children from
 * another's), the cell's SLO alarms, and its Cloudflare pool.
 */

/** The slice of the plan JSON read here. */
export interface PlanResources {
    readonly resources: readonly {
        readonly urn: string;
        readonly type: string;
        readonly name: string;
        readonly parent: string | null;
        readonly inputs: Readonly<Record<string, unknown>>;
    }[];
}

export const CELL_TYPE = "platform:cell:RegionalCell";
const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";
const POOL_TYPE = "cloudflare:index/loadBalancerPool:LoadBalancerPool";

/**
 * The alarms of a cell that stand for its SLOs, by the key of components/observability/
 * cloudWatchAlarms.ts: errors (the ALB's own 5xx and the pods') and p99 latency at the ALB.
 */
export const SLO_ALARM_KEYS = ["alb-elb-5xx", "alb-target-5xx", "alb-p99-latency"] as const;

export interface CellTargets {
    readonly code: string;
    /** The cell's component URN. */
    readonly root: string;
    /** The component and every resource under it, in plan order. */
    readonly urns: readonly string[];
    /** CloudWatch alarm names of SLO_ALARM_KEYS, in that order. */
    readonly alarms: readonly string[];
    /** The Cloudflare pool's name (its `name` input); absent for a drained cell. */
    readonly pool?: string;
}

/** Per cell code. Throws when a cell lacks one of its SLO alarms: a release must not run blind. */
export function cellTargets(plan: PlanResources): Map<string, CellTargets> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const cellOf = (urn: string | null): string | undefined => {
        for (let at = urn === null ? undefined : byUrn.get(urn); at; at = at.parent === null ? undefined : byUrn.get(at.parent)) {
            if (at.type === CELL_TYPE) return at.name;
        }
        return undefined;
    };
    const result = new Map<string, { root: string; urns: string[]; alarms: Map<string, string>; pool?: string }>();
    for (const r of plan.resources) {
        const code = cellOf(r.urn);
        if (code === undefined) continue;
        const cell = result.get(code) ?? { root: "", urns: [], alarms: new Map<string, string>() };
        result.set(code, cell);
        if (r.type === CELL_TYPE) cell.root = r.urn;
        cell.urns.push(r.urn);
        if (r.type === ALARM_TYPE) {
            const key = SLO_ALARM_KEYS.find((k) => r.name.endsWith(`-${k}`));
            if (key !== undefined) cell.alarms.set(key, String(r.inputs.name));
        }
    }
    for (const r of plan.resources) {
        const match = /^edge-pool-([a-z0-9]+)$/.exec(r.name);
        if (r.type === POOL_TYPE && match && result.has(match[1])) result.get(match[1])!.pool = String(r.inputs.name);
    }
    return new Map(
        [...result].map(([code, cell]) => {
            const missing = SLO_ALARM_KEYS.filter((k) => !cell.alarms.has(k));
            if (missing.length > 0)
                throw new Error(`cell ${code} has no ${missing.join(", ")} alarm in the plan: its health cannot be watched`);
            return [
                code,
                { code, root: cell.root, urns: cell.urns, alarms: SLO_ALARM_KEYS.map((k) => cell.alarms.get(k)!), pool: cell.pool },
            ];
        }),
    );
}

const GLOBAL_CLUSTER_TYPE = "aws:rds/globalCluster:GlobalCluster";

/** The stack's Aurora global cluster: the one resource the end of an engine release refreshes. */
export function globalClusterUrn(plan: PlanResources): string {
    const clusters = plan.resources.filter((r) => r.type === GLOBAL_CLUSTER_TYPE);
    if (clusters.length !== 1) throw new Error(`the plan has ${clusters.length} Aurora global clusters; a stack has exactly one`);
    return clusters[0].urn;
}

/**
 * The mission's rules, stack policies over the whole resource graph: the stack runs in
 * several regions, every cell is complete and in its own region, the global database has a
 * member everywhere, Cloudflare fails over between the cells, every Deployment has a PDB and
 * an HPA, stateful resources are protected, and capacity holds with regions down.
 *
 * Stack policies see each resource's parent and dependencies resolved. In `pulumi preview`
 * they see outputs; in the offline plan the recorded inputs. Both carry what these rules read.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { AWS_TYPES } from "./aws";
import { isGlobalMember } from "./aws/rds";
import { CLOUDFLARE_TYPES } from "./cloudflare";
import { CELL_TYPE, type Props, cellOf, cellRegion, isRegionalAwsType, isSet, list, obj, refersTo, stackPolicy, whenKnown } from "./common";
import { HPA_TYPES, KUBERNETES_TYPES } from "./kubernetes";

function cells(resources: readonly PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => r.type === CELL_TYPE);
}

function descendantsByCell(resources: readonly PolicyResource[]): Map<string, PolicyResource[]> {
    const result = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        const cell = cellOf(r);
        if (!cell || cell === r) continue;
        result.set(cell.urn, [...(result.get(cell.urn) ?? []), r]);
    }
    return result;
}

// ---- cell completeness -------------------------------------------------------------------

/** What a complete cell contains, by component key. */
export const CELL_COMPONENTS: Readonly<
    Record<string, { readonly describe: string; readonly present: (rs: readonly PolicyResource[]) => boolean }>
> = {
    vpc: { describe: "a VPC (aws:ec2/vpc:Vpc)", present: (rs) => rs.some((r) => r.type === AWS_TYPES.vpc) },
    eks: { describe: "an EKS cluster (aws:eks/cluster:Cluster)", present: (rs) => rs.some((r) => r.type === AWS_TYPES.eksCluster) },
    deployment: {
        describe: "a Deployment (kubernetes:apps/v1:Deployment)",
        present: (rs) => rs.some((r) => r.type === KUBERNETES_TYPES.deployment),
    },
    database: {
        describe: "an Aurora cluster that is a member of the global database (aws:rds/cluster:Cluster with globalClusterIdentifier)",
        present: (rs) => rs.some((r) => r.type === AWS_TYPES.rdsCluster && isGlobalMember(r)),
    },
    rdsProxy: { describe: "an RDS Proxy (aws:rds/proxy:Proxy)", present: (rs) => rs.some((r) => r.type === AWS_TYPES.rdsProxy) },
    cache: {
        describe: "an ElastiCache replication group (aws:elasticache/replicationGroup:ReplicationGroup)",
        present: (rs) => rs.some((r) => r.type === AWS_TYPES.cacheReplicationGroup),
    },
    opensearch: {
        describe: "an OpenSearch domain (aws:opensearch/domain:Domain)",
        present: (rs) => rs.some((r) => r.type === AWS_TYPES.opensearchDomain),
    },
    monitoring: {
        describe: "monitoring: a kube-prometheus-stack Helm release, or an SNS topic with CloudWatch alarms",
        present: (rs) =>
            rs.some(
                (r) =>
                    r.type === KUBERNETES_TYPES.helmRelease &&
                    whenKnown(() => String(r.props.chart ?? ""), "").endsWith("kube-prometheus-stack"),
            ) ||
            (rs.some((r) => r.type === AWS_TYPES.snsTopic) && rs.some((r) => r.type === AWS_TYPES.metricAlarm)),
    },
};

/**
 * Resource types that must carry `protect` (DESIGN decision 5). Narrower than what the
 * compare tool calls stateful (regions/stateful.ts): caches, secrets and log buckets hold
 * data too, but can be rebuilt (sessions live in Aurora); add their types in the pack
 * config to require protection for them.
 */
export const PROTECTED_TYPES: string[] = [
    AWS_TYPES.rdsCluster,
    AWS_TYPES.rdsGlobalCluster,
    AWS_TYPES.rdsInstance,
    AWS_TYPES.opensearchDomain,
    AWS_TYPES.kmsKey,
];

export const missionPolicies: StackValidationPolicy[] = [
    stackPolicy({
        name: "multi-region",
        severity: "critical",
        // Mandatory in code, so a forgotten pack config never weakens prod; a one-region dev stack lowers it.
        enforcementLevel: "mandatory",
        title: "The stack runs cells in at least the minimum number of regions (multi-region failover).",
        config: { minRegions: 2 },
        configDocs: { minRegions: "Fewest distinct regions (cells) the stack may run." },
        check: (resources, args, report, c) => {
            const stamped = cells(resources);
            // Without cells (a component evaluated alone), the regions the AWS resources name.
            const regions = new Set(
                stamped.length > 0
                    ? stamped.map((cell) => cellRegion(cell) ?? cell.name)
                    : resources.filter((r) => isRegionalAwsType(r.type) && isSet(r.props.region)).map((r) => String(r.props.region)),
            );
            if (regions.size === 0) args.notApplicable("no cell and no regional AWS resource");
            if (regions.size < c.minRegions) {
                report(
                    `the stack runs ${regions.size} region(s)${regions.size ? ` (${[...regions].sort().join(", ")})` : ""}; at least ${c.minRegions} are required for regional failover`,
                );
            }
        },
    }),
    stackPolicy({
        name: "cell-resources-in-cell-region",
        severity: "critical",
        title: "Every regional AWS resource of a cell names that cell's region (`region`), from the region catalog by the cell's code.",
        check: (resources, _a, report) => {
            for (const r of resources) {
                if (!isRegionalAwsType(r.type)) continue;
                const cell = cellOf(r);
                if (!cell) continue;
                const expected = cellRegion(cell);
                if (expected === undefined) {
                    report(`cell "${cell.name}" is not a region code of the catalog, so its region is unknown`, r.urn);
                    continue;
                }
                const region = r.props.region;
                if (!isSet(region))
                    report(
                        `region is not set: the resource would land in the provider's default region instead of ${expected} (cell ${cell.name})`,
                        r.urn,
                    );
                else if (region !== expected)
                    report(`region is ${region} but the resource belongs to cell ${cell.name} (${expected})`, r.urn);
            }
        },
    }),
    stackPolicy({
        name: "cell-complete",
        severity: "high",
        title: "Every cell contains each required component (network, EKS, workload, global-database member, RDS Proxy, cache, OpenSearch, monitoring).",
        config: { required: Object.keys(CELL_COMPONENTS) },
        configDocs: { required: `Components every cell must contain; any of ${Object.keys(CELL_COMPONENTS).join(", ")}.` },
        check: (resources, _a, report, c) => {
            const unknown = c.required.filter((k) => CELL_COMPONENTS[k] === undefined);
            if (unknown.length > 0)
                report(
                    `config "required" names unknown component(s) ${unknown.join(", ")}; known: ${Object.keys(CELL_COMPONENTS).join(", ")}`,
                );
            const byCell = descendantsByCell(resources);
            for (const cell of cells(resources)) {
                const inside = byCell.get(cell.urn) ?? [];
                const missing = c.required.filter((k) => CELL_COMPONENTS[k] && !CELL_COMPONENTS[k].present(inside));
                if (missing.length > 0)
                    report(`cell ${cell.name} lacks ${missing.map((k) => CELL_COMPONENTS[k].describe).join("; ")}`, cell.urn);
            }
        },
    }),
    stackPolicy({
        name: "global-database-in-every-region",
        severity: "critical",
        title: "The Aurora global database has a member cluster in every cell's region (zero data loss on regional failover).",
        check: (resources, args, report) => {
            const globals = resources.filter((r) => r.type === AWS_TYPES.rdsGlobalCluster);
            if (globals.length === 0) args.notApplicable("no aws:rds/globalCluster:GlobalCluster in the stack");
            const cellRegions = cells(resources)
                .map(cellRegion)
                .filter((x): x is string => x !== undefined);
            const clusters = resources.filter((r) => r.type === AWS_TYPES.rdsCluster);
            for (const g of globals) {
                const id = whenKnown(() => g.props.globalClusterIdentifier as unknown, undefined);
                const members = clusters.filter(
                    (c) =>
                        refersTo(c, g, ["globalClusterIdentifier"]) ||
                        (isSet(id) && whenKnown(() => c.props.globalClusterIdentifier === id, false)),
                );
                const memberRegions = new Set(
                    members
                        .map((m) => (isSet(m.props.region) ? String(m.props.region) : undefined))
                        .filter((x): x is string => x !== undefined),
                );
                const missing = [...new Set(cellRegions)].filter((region) => !memberRegions.has(region)).sort();
                if (missing.length > 0) report(`the global database has no member cluster in ${missing.join(", ")}`, g.urn);
            }
        },
    }),
    stackPolicy({
        name: "cloudflare-load-balancer-failover",
        severity: "critical",
        title: "The Cloudflare load balancer has a fallback pool, session affinity (proxied) and every pool.",
        check: (resources, args, report) => {
            const lbs = resources.filter((r) => r.type === CLOUDFLARE_TYPES.loadBalancer);
            if (lbs.length === 0) args.notApplicable("no Cloudflare load balancer in the stack");
            const pools = resources.filter((r) => r.type === CLOUDFLARE_TYPES.loadBalancerPool);
            for (const lb of lbs) {
                const p = lb.props;
                if (!whenKnown(() => isSet(p.fallbackPool), true))
                    report("fallbackPool is not set: when every pool is unhealthy there is nowhere to send traffic", lb.urn);
                const affinity = p.sessionAffinity ?? "none";
                if (affinity === "none")
                    report(
                        `sessionAffinity is ${p.sessionAffinity === undefined ? 'not set (default "none")' : '"none"'}: use "cookie" so a session stays on one cell`,
                        lb.urn,
                    );
                else if (p.proxied !== true) report("session affinity needs a proxied load balancer: set proxied to true", lb.urn);
                const ids = whenKnown(
                    () =>
                        new Set<string>([
                            ...list<string>(p.defaultPools),
                            ...Object.values(obj(p.regionPools)).flatMap((v) => list<string>(v)),
                            ...Object.values(obj(p.countryPools)).flatMap((v) => list<string>(v)),
                        ]),
                    new Set<string>(),
                );
                const unused = pools.filter(
                    (pool) =>
                        !refersTo(lb, pool, ["defaultPools", "regionPools", "countryPools", "popPools"]) &&
                        !whenKnown(() => isSet(pool.props.id) && ids.has(String(pool.props.id)), false),
                );
                if (unused.length > 0)
                    report(
                        `pool(s) ${unused.map((x) => x.name).join(", ")} are not used by the load balancer: a cell without traffic is no failover`,
                        lb.urn,
                    );
            }
        },
    }),
    stackPolicy({
        name: "k8s-deployment-has-pdb-and-hpa",
        severity: "high",
        title: "Every Deployment has a PodDisruptionBudget selecting its pods and an HPA targeting it, in the same cell and namespace.",
        check: (resources, _a, report) => {
            const pdbs = resources.filter((r) => r.type === KUBERNETES_TYPES.podDisruptionBudget);
            const hpas = resources.filter((r) => (HPA_TYPES as readonly string[]).includes(r.type));
            for (const d of resources.filter((r) => r.type === KUBERNETES_TYPES.deployment)) {
                const cell = cellOf(d)?.urn;
                const ns = namespaceOf(d.props);
                const name = whenKnown(() => obj(d.props.metadata).name as string | undefined, undefined);
                const labels = obj(obj(obj(obj(d.props.spec).template).metadata).labels) as Record<string, string>;
                const near = (r: PolicyResource) => cellOf(r)?.urn === cell && namespaceOf(r.props) === ns;
                const hasPdb = pdbs.some((pdb) => {
                    const match = obj(obj(pdb.props.spec).selector).matchLabels as Record<string, string> | undefined;
                    return (
                        near(pdb) &&
                        match !== undefined &&
                        Object.keys(match).length > 0 &&
                        Object.entries(match).every(([k, v]) => labels[k] === v)
                    );
                });
                const hasHpa = hpas.some((hpa) => {
                    const target = obj(obj(hpa.props.spec).scaleTargetRef);
                    return (
                        near(hpa) &&
                        target.kind === "Deployment" &&
                        (refersTo(hpa, d, ["spec"]) || (isSet(name) && whenKnown(() => target.name === name, false)))
                    );
                });
                const missing = [
                    ...(hasPdb ? [] : ["a PodDisruptionBudget selecting its pod labels"]),
                    ...(hasHpa ? [] : ["a HorizontalPodAutoscaler targeting it"]),
                ];
                if (missing.length > 0) report(`Deployment ${d.name} lacks ${missing.join(" and ")} (namespace ${ns})`, d.urn);
            }
        },
    }),
    stackPolicy({
        name: "stateful-resources-protected",
        severity: "high",
        title: "Stateful resources (databases, global cluster, OpenSearch domains, KMS keys) have Pulumi `protect`, so removing a region from config cannot destroy data.",
        config: { types: PROTECTED_TYPES },
        configDocs: { types: "Type tokens that must be protected." },
        check: (resources, _a, report, c) => {
            // The policy SDK exposes `protect` but not `retainOnDelete`; a resource kept by
            // retainOnDelete alone is reported here and needs an explicit exception in config.
            for (const r of resources) {
                if (c.types.includes(r.type) && !r.opts.protect)
                    report(`${r.type} ${r.name} is not protected: set the resource option protect: true`, r.urn);
            }
        },
    }),
    stackPolicy({
        name: "capacity-survives-region-failures",
        severity: "critical",
        title: "With the largest `regionFailuresTolerated` cells down, the other cells' HPA maxReplicas x usersPerPod still carry targetConcurrentUsers.",
        config: { targetConcurrentUsers: 25000, usersPerPod: 800, regionFailuresTolerated: 1, workloadPattern: "" },
        configDocs: {
            targetConcurrentUsers: "Concurrent users the fleet must carry (platform:capacity.targetConcurrentUsers).",
            usersPerPod: "Users one pod carries at the HPA target (platform:capacity.usersPerPod).",
            regionFailuresTolerated: "Regions that may be down at once (platform:capacity.regionFailuresTolerated).",
            workloadPattern:
                "Regular expression on the HPA's name or scaleTargetRef.name selecting the API's HPAs; empty: every HPA that targets a Deployment.",
        },
        check: (resources, args, report, c) => {
            const pattern = c.workloadPattern === "" ? undefined : new RegExp(c.workloadPattern);
            const hpas = resources.filter((r) => {
                if (!(HPA_TYPES as readonly string[]).includes(r.type)) return false;
                const target = obj(obj(r.props.spec).scaleTargetRef);
                return (
                    target.kind === "Deployment" &&
                    (!pattern || pattern.test(r.name) || whenKnown(() => pattern.test(String(target.name ?? "")), false))
                );
            });
            if (hpas.length === 0) args.notApplicable("no HorizontalPodAutoscaler targets a Deployment yet");
            const pods = new Map<string, number>(cells(resources).map((cell) => [cell.name, 0]));
            for (const hpa of hpas) {
                const cell = cellOf(hpa)?.name ?? "(outside any cell)";
                pods.set(cell, (pods.get(cell) ?? 0) + Number(obj(hpa.props.spec).maxReplicas ?? 0));
            }
            const verdict = survivingCapacity(
                [...pods].map(([cell, maxPods]) => ({ cell, maxPods })),
                c,
            );
            if (!verdict.ok) report(verdict.message);
        },
    }),
];

export interface CellPods {
    readonly cell: string;
    readonly maxPods: number;
}

/**
 * Worst case: the `regionFailuresTolerated` cells with the most pods are down; the rest must
 * carry the target at `usersPerPod` each.
 */
export function survivingCapacity(
    cellPods: readonly CellPods[],
    c: { targetConcurrentUsers: number; usersPerPod: number; regionFailuresTolerated: number },
): { ok: boolean; message: string } {
    const sorted = [...cellPods].sort((a, b) => b.maxPods - a.maxPods || a.cell.localeCompare(b.cell));
    const down = sorted.slice(0, c.regionFailuresTolerated);
    const up = sorted.slice(c.regionFailuresTolerated);
    const users = up.reduce((sum, x) => sum + x.maxPods, 0) * c.usersPerPod;
    const detail = `${down.length ? `with ${down.map((x) => x.cell).join(", ")} down, ` : ""}${up.length ? up.map((x) => `${x.cell} ${x.maxPods}`).join(" + ") : "no cell"} pods x ${c.usersPerPod} users = ${users}`;
    if (users >= c.targetConcurrentUsers) return { ok: true, message: `${detail} >= ${c.targetConcurrentUsers}` };
    return { ok: false, message: `${detail} < ${c.targetConcurrentUsers} target concurrent users; raise HPA maxReplicas or add a region` };
}

function namespaceOf(props: Props): string {
    // A namespace taken from a Namespace resource is unknown in preview; such objects match each other.
    return whenKnown(() => String(obj(props.metadata).namespace ?? "default"), "(unknown)");
}

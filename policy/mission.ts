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
import {
    type Props,
    CELL_TYPE,
    cellRegion,
    enclosingCell,
    isRegionalAwsType,
    isSet,
    list,
    obj,
    platform,
    refersTo,
    resourcesOfType,
    resourcesOrNotApplicable,
    stackPolicy,
    whenKnown,
} from "./common";
import { HPA_TYPES, KUBERNETES_TYPES, WORKLOAD_TYPES, isPlaceholder, priorityClassNameOf } from "./kubernetes";

function cells(resources: readonly PolicyResource[]): PolicyResource[] {
    return resourcesOfType(resources, CELL_TYPE);
}

function descendantsByCell(resources: readonly PolicyResource[]): Map<string, PolicyResource[]> {
    const result = new Map<string, PolicyResource[]>();
    for (const resource of resources) {
        const cell = enclosingCell(resource);
        if (!cell || cell === resource) continue;
        result.set(cell.urn, [...(result.get(cell.urn) ?? []), resource]);
    }
    return result;
}

function namespaceOf(props: Props): string {
    // A namespace taken from a Namespace resource is unknown in preview; such objects match each other.
    return whenKnown(() => String(obj(props.metadata).namespace ?? "default"), "(unknown)");
}

// ---- cell completeness -------------------------------------------------------------------

export interface CellComponent {
    readonly describe: string;
    readonly present: (inside: readonly PolicyResource[]) => boolean;
}

/** A component present as one resource of `type`, described as "`what` (`type`)". */
function resourceOfType(what: string, type: string): CellComponent {
    return { describe: `${what} (${type})`, present: (inside) => inside.some((resource) => resource.type === type) };
}

/** What a complete cell contains, by component key. */
export const CELL_COMPONENTS: Readonly<Record<string, CellComponent>> = {
    vpc: resourceOfType("a VPC", AWS_TYPES.vpc),
    eks: resourceOfType("an EKS cluster", AWS_TYPES.eksCluster),
    deployment: resourceOfType("a Deployment", KUBERNETES_TYPES.deployment),
    database: {
        describe: "an Aurora cluster that is a member of the global database (aws:rds/cluster:Cluster with globalClusterIdentifier)",
        present: (inside) => inside.some((resource) => resource.type === AWS_TYPES.rdsCluster && isGlobalMember(resource)),
    },
    rdsProxy: resourceOfType("an RDS Proxy", AWS_TYPES.rdsProxy),
    cache: resourceOfType("an ElastiCache replication group", AWS_TYPES.cacheReplicationGroup),
    opensearch: resourceOfType("an OpenSearch domain", AWS_TYPES.opensearchDomain),
    monitoring: {
        describe: "monitoring: a kube-prometheus-stack Helm release, or an SNS topic with CloudWatch alarms",
        present: (inside) =>
            resourcesOfType(inside, KUBERNETES_TYPES.helmRelease).some((release) =>
                whenKnown(() => String(release.props.chart ?? ""), "").endsWith("kube-prometheus-stack"),
            ) ||
            (resourcesOfType(inside, AWS_TYPES.snsTopic).length > 0 && resourcesOfType(inside, AWS_TYPES.metricAlarm).length > 0),
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

// ---- capacity ----------------------------------------------------------------------------

export interface CellPods {
    readonly cell: string;
    readonly maxPods: number;
}

export interface CapacityTarget {
    readonly targetConcurrentUsers: number;
    readonly usersPerPod: number;
    readonly regionFailuresTolerated: number;
}

/**
 * Worst case: the `regionFailuresTolerated` cells with the most pods are down; the rest must
 * carry the target at `usersPerPod` each.
 */
export function survivingCapacity(cellPods: readonly CellPods[], target: CapacityTarget): { ok: boolean; message: string } {
    const largestFirst = [...cellPods].sort((one, other) => other.maxPods - one.maxPods || one.cell.localeCompare(other.cell));
    const down = largestFirst.slice(0, target.regionFailuresTolerated);
    const up = largestFirst.slice(target.regionFailuresTolerated);
    const users = up.reduce((sum, entry) => sum + entry.maxPods, 0) * target.usersPerPod;
    const detail = `${down.length ? `with ${down.map((entry) => entry.cell).join(", ")} down, ` : ""}${up.length ? up.map((entry) => `${entry.cell} ${entry.maxPods}`).join(" + ") : "no cell"} pods x ${target.usersPerPod} users = ${users}`;
    if (users >= target.targetConcurrentUsers) return { ok: true, message: `${detail} >= ${target.targetConcurrentUsers}` };
    return {
        ok: false,
        message: `${detail} < ${target.targetConcurrentUsers} target concurrent users; raise HPA maxReplicas or add a region`,
    };
}

// ---- the rules ---------------------------------------------------------------------------

export const missionPolicies: StackValidationPolicy[] = [
    stackPolicy({
        ...platform("multi-region", "critical"),
        // Mandatory in code, so a forgotten pack config never weakens prod; a one-region dev stack lowers it.
        enforcementLevel: "mandatory",
        title: "The stack runs cells in at least the minimum number of regions (multi-region failover).",
        config: { minRegions: 2 },
        configDocs: { minRegions: "Fewest distinct regions (cells) the stack may run." },
        check: (resources, args, report, config) => {
            const stamped = cells(resources);
            // Without cells (a component evaluated alone), the regions the AWS resources name.
            const regions = new Set(
                stamped.length > 0
                    ? stamped.map((cell) => cellRegion(cell) ?? cell.name)
                    : resources
                          .filter((resource) => isRegionalAwsType(resource.type) && isSet(resource.props.region))
                          .map((resource) => String(resource.props.region)),
            );
            if (regions.size === 0) args.notApplicable("no cell and no regional AWS resource");
            if (regions.size < config.minRegions) {
                report(
                    `the stack runs ${regions.size} region(s)${regions.size ? ` (${[...regions].sort().join(", ")})` : ""}; at least ${config.minRegions} are required for regional failover`,
                );
            }
        },
    }),
    stackPolicy({
        ...platform("cell-resources-in-cell-region", "critical"),
        title: "Every regional AWS resource of a cell names that cell's region (`region`), from the region catalog by the cell's code.",
        check: (resources, _args, report) => {
            for (const resource of resources) {
                if (!isRegionalAwsType(resource.type)) continue;
                const cell = enclosingCell(resource);
                if (!cell) continue;
                const expected = cellRegion(cell);
                if (expected === undefined) {
                    report(`cell "${cell.name}" is not a region code of the catalog, so its region is unknown`, resource.urn);
                    continue;
                }
                const region = resource.props.region;
                if (!isSet(region))
                    report(
                        `region is not set: the resource would land in the provider's default region instead of ${expected} (cell ${cell.name})`,
                        resource.urn,
                    );
                else if (region !== expected)
                    report(`region is ${region} but the resource belongs to cell ${cell.name} (${expected})`, resource.urn);
            }
        },
    }),
    stackPolicy({
        ...platform("cell-complete", "high"),
        title: "Every cell contains each required component (network, EKS, workload, global-database member, RDS Proxy, cache, OpenSearch, monitoring).",
        config: { required: Object.keys(CELL_COMPONENTS) },
        configDocs: { required: `Components every cell must contain; any of ${Object.keys(CELL_COMPONENTS).join(", ")}.` },
        check: (resources, _args, report, config) => {
            const unknown = config.required.filter((key) => CELL_COMPONENTS[key] === undefined);
            if (unknown.length > 0)
                report(
                    `config "required" names unknown component(s) ${unknown.join(", ")}; known: ${Object.keys(CELL_COMPONENTS).join(", ")}`,
                );
            const byCell = descendantsByCell(resources);
            for (const cell of cells(resources)) {
                const inside = byCell.get(cell.urn) ?? [];
                const missing = config.required.filter((key) => CELL_COMPONENTS[key] && !CELL_COMPONENTS[key].present(inside));
                if (missing.length > 0)
                    report(`cell ${cell.name} lacks ${missing.map((key) => CELL_COMPONENTS[key].describe).join("; ")}`, cell.urn);
            }
        },
    }),
    stackPolicy({
        ...platform("global-database-in-every-region", "critical"),
        title: "The Aurora global database has a member cluster in every cell's region (zero data loss on regional failover).",
        check: (resources, args, report) => {
            const globalClusters = resourcesOrNotApplicable(
                resources,
                args,
                "no aws:rds/globalCluster:GlobalCluster in the stack",
                AWS_TYPES.rdsGlobalCluster,
            );
            const cellRegions = new Set(
                cells(resources)
                    .map(cellRegion)
                    .filter((region): region is string => region !== undefined),
            );
            const clusters = resourcesOfType(resources, AWS_TYPES.rdsCluster);
            for (const globalCluster of globalClusters) {
                const id = whenKnown(() => globalCluster.props.globalClusterIdentifier as unknown, undefined);
                const members = clusters.filter(
                    (cluster) =>
                        refersTo(cluster, globalCluster, ["globalClusterIdentifier"]) ||
                        (isSet(id) && whenKnown(() => cluster.props.globalClusterIdentifier === id, false)),
                );
                const memberRegions = new Set(
                    members.filter((member) => isSet(member.props.region)).map((member) => String(member.props.region)),
                );
                const missing = [...cellRegions].filter((region) => !memberRegions.has(region)).sort();
                if (missing.length > 0) report(`the global database has no member cluster in ${missing.join(", ")}`, globalCluster.urn);
            }
        },
    }),
    stackPolicy({
        ...platform("cloudflare-load-balancer-failover", "critical"),
        title: "The Cloudflare load balancer has a fallback pool, session affinity (proxied) and every pool.",
        check: (resources, args, report) => {
            const loadBalancers = resourcesOrNotApplicable(
                resources,
                args,
                "no Cloudflare load balancer in the stack",
                CLOUDFLARE_TYPES.loadBalancer,
            );
            const pools = resourcesOfType(resources, CLOUDFLARE_TYPES.loadBalancerPool);
            for (const loadBalancer of loadBalancers) {
                const props = loadBalancer.props;
                if (!whenKnown(() => isSet(props.fallbackPool), true))
                    report("fallbackPool is not set: when every pool is unhealthy there is nowhere to send traffic", loadBalancer.urn);
                const affinity = props.sessionAffinity ?? "none";
                if (affinity === "none")
                    report(
                        `sessionAffinity is ${props.sessionAffinity === undefined ? 'not set (default "none")' : '"none"'}: use "cookie" so a session stays on one cell`,
                        loadBalancer.urn,
                    );
                else if (props.proxied !== true)
                    report("session affinity needs a proxied load balancer: set proxied to true", loadBalancer.urn);
                const poolIds = whenKnown(
                    () =>
                        new Set<string>([
                            ...list<string>(props.defaultPools),
                            ...Object.values(obj(props.regionPools)).flatMap((ids) => list<string>(ids)),
                            ...Object.values(obj(props.countryPools)).flatMap((ids) => list<string>(ids)),
                        ]),
                    new Set<string>(),
                );
                const unused = pools.filter(
                    (pool) =>
                        !refersTo(loadBalancer, pool, ["defaultPools", "regionPools", "countryPools", "popPools"]) &&
                        !whenKnown(() => isSet(pool.props.id) && poolIds.has(String(pool.props.id)), false),
                );
                if (unused.length > 0)
                    report(
                        `pool(s) ${unused.map((pool) => pool.name).join(", ")} are not used by the load balancer: a cell without traffic is no failover`,
                        loadBalancer.urn,
                    );
            }
        },
    }),
    stackPolicy({
        ...platform("k8s-deployment-has-pdb-and-hpa", "high"),
        title: "Every Deployment has a PodDisruptionBudget selecting its pods and an HPA targeting it, in the same cell and namespace.",
        check: (resources, _args, report) => {
            const budgets = resourcesOfType(resources, KUBERNETES_TYPES.podDisruptionBudget);
            const autoscalers = resourcesOfType(resources, ...HPA_TYPES);
            for (const deployment of resourcesOfType(resources, KUBERNETES_TYPES.deployment)) {
                if (isPlaceholder(deployment.props)) continue;
                const cell = enclosingCell(deployment)?.urn;
                const namespace = namespaceOf(deployment.props);
                const name = whenKnown(() => obj(deployment.props.metadata).name as string | undefined, undefined);
                const labels = obj(obj(obj(obj(deployment.props.spec).template).metadata).labels) as Record<string, string>;
                const beside = (resource: PolicyResource) =>
                    enclosingCell(resource)?.urn === cell && namespaceOf(resource.props) === namespace;
                const hasPdb = budgets.some((budget) => {
                    const match = obj(obj(budget.props.spec).selector).matchLabels as Record<string, string> | undefined;
                    return (
                        beside(budget) &&
                        match !== undefined &&
                        Object.keys(match).length > 0 &&
                        Object.entries(match).every(([label, value]) => labels[label] === value)
                    );
                });
                const hasHpa = autoscalers.some((autoscaler) => {
                    const target = obj(obj(autoscaler.props.spec).scaleTargetRef);
                    return (
                        beside(autoscaler) &&
                        target.kind === "Deployment" &&
                        (refersTo(autoscaler, deployment, ["spec"]) || (isSet(name) && whenKnown(() => target.name === name, false)))
                    );
                });
                const missing = [
                    ...(hasPdb ? [] : ["a PodDisruptionBudget selecting its pod labels"]),
                    ...(hasHpa ? [] : ["a HorizontalPodAutoscaler targeting it"]),
                ];
                if (missing.length > 0)
                    report(`Deployment ${deployment.name} lacks ${missing.join(" and ")} (namespace ${namespace})`, deployment.urn);
            }
        },
    }),
    stackPolicy({
        ...platform("k8s-placeholder-yields", "high"),
        title: "A placeholder workload (exempt from the serving rules) runs under a PriorityClass of this cell with a negative value and preemptionPolicy Never: every other pod preempts it, and it preempts nothing.",
        check: (resources, _args, report) => {
            const classes = resourcesOfType(resources, KUBERNETES_TYPES.priorityClass);
            for (const workload of resourcesOfType(resources, ...WORKLOAD_TYPES)) {
                if (!isPlaceholder(workload.props)) continue;
                const className = priorityClassNameOf(workload.props);
                if (!isSet(className)) {
                    report(
                        `a placeholder without priorityClassName runs at priority 0 and keeps its room from the API's pods`,
                        workload.urn,
                    );
                    continue;
                }
                const cell = enclosingCell(workload)?.urn;
                const yielding = classes.find(
                    (c) =>
                        enclosingCell(c)?.urn === cell &&
                        (refersTo(workload, c, ["spec"]) || whenKnown(() => obj(c.props.metadata).name === className, false)),
                );
                if (yielding === undefined) {
                    report(`its priorityClassName ${String(className)} is no PriorityClass of its cell`, workload.urn);
                    continue;
                }
                const value = yielding.props.value as number | undefined;
                if (!(typeof value === "number" && value < 0))
                    report(`PriorityClass ${yielding.name} has value ${value ?? "unset"}; a placeholder's must be below 0`, workload.urn);
                if (yielding.props.preemptionPolicy !== "Never")
                    report(
                        `PriorityClass ${yielding.name} has preemptionPolicy ${String(yielding.props.preemptionPolicy ?? "unset (PreemptLowerPriority)")}; a placeholder's must be Never`,
                        workload.urn,
                    );
            }
        },
    }),
    stackPolicy({
        ...platform("stateful-resources-protected", "high"),
        title: "Stateful resources (databases, global cluster, OpenSearch domains, KMS keys) have Pulumi `protect`, so removing a region from config cannot destroy data.",
        config: { types: PROTECTED_TYPES },
        configDocs: { types: "Type tokens that must be protected." },
        check: (resources, _args, report, config) => {
            // The policy SDK exposes `protect` but not `retainOnDelete`; a resource kept by
            // retainOnDelete alone is reported here and needs an explicit exception in config.
            for (const resource of resources) {
                if (config.types.includes(resource.type) && !resource.opts.protect)
                    report(`${resource.type} ${resource.name} is not protected: set the resource option protect: true`, resource.urn);
            }
        },
    }),
    stackPolicy({
        ...platform("capacity-survives-region-failures", "critical"),
        title: "With the largest `regionFailuresTolerated` cells down, the other cells' HPA maxReplicas x usersPerPod still carry targetConcurrentUsers.",
        config: { targetConcurrentUsers: 25000, usersPerPod: 800, regionFailuresTolerated: 1, workloadPattern: "" },
        configDocs: {
            targetConcurrentUsers: "Concurrent users the fleet must carry (platform:capacity.targetConcurrentUsers).",
            usersPerPod: "Users one pod carries at the HPA target (platform:capacity.usersPerPod).",
            regionFailuresTolerated: "Regions that may be down at once (platform:capacity.regionFailuresTolerated).",
            workloadPattern:
                "Regular expression on the HPA's name or scaleTargetRef.name selecting the API's HPAs; empty: every HPA that targets a Deployment.",
        },
        check: (resources, args, report, config) => {
            const pattern = config.workloadPattern === "" ? undefined : new RegExp(config.workloadPattern);
            const autoscalers = resourcesOfType(resources, ...HPA_TYPES).filter((autoscaler) => {
                const target = obj(obj(autoscaler.props.spec).scaleTargetRef);
                return (
                    target.kind === "Deployment" &&
                    (!pattern || pattern.test(autoscaler.name) || whenKnown(() => pattern.test(String(target.name ?? "")), false))
                );
            });
            if (autoscalers.length === 0) args.notApplicable("no HorizontalPodAutoscaler targets a Deployment yet");
            const podsByCell = new Map<string, number>(cells(resources).map((cell) => [cell.name, 0]));
            for (const autoscaler of autoscalers) {
                const cell = enclosingCell(autoscaler)?.name ?? "(outside any cell)";
                podsByCell.set(cell, (podsByCell.get(cell) ?? 0) + Number(obj(autoscaler.props.spec).maxReplicas ?? 0));
            }
            const verdict = survivingCapacity(
                [...podsByCell].map(([cell, maxPods]) => ({ cell, maxPods })),
                config,
            );
            if (!verdict.ok) report(verdict.message);
        },
    }),
    stackPolicy({
        ...platform("release-skew", "high"),
        // Mandatory in code: a third image or a skipped Kubernetes minor is never a state to preview into.
        enforcementLevel: "mandatory",
        title: "A release moves cells between two states at most: no more than two API images across the cells, EKS minors at most one apart, and the Aurora members on at most two versions of one major, the primary never ahead of a secondary (docs/releases.md).",
        config: { maxImages: 2, workloadPattern: "-api-deployment$" },
        configDocs: {
            maxImages: "Most distinct container images the cells' API Deployments may run at once (the old and the new).",
            workloadPattern: "Regular expression on the Deployment's name selecting the API's Deployments.",
        },
        check: (resources, args, report, config) => {
            const pattern = new RegExp(config.workloadPattern);
            const deployments = resourcesOfType(resources, KUBERNETES_TYPES.deployment).filter(
                (d) => pattern.test(d.name) && enclosingCell(d) !== undefined,
            );
            const clusters = resourcesOfType(resources, AWS_TYPES.eksCluster).filter((c) => enclosingCell(c) !== undefined);
            const members = resourcesOfType(resources, AWS_TYPES.rdsCluster).filter(
                (c) => enclosingCell(c) !== undefined && isGlobalMember(c),
            );
            if (deployments.length === 0 && clusters.length === 0 && members.length === 0)
                args.notApplicable("no API Deployment, EKS cluster or Aurora global member in a cell");
            for (const problem of auroraSkew(members)) report(problem);
            // By content (repository and digest): each cell pulls its own region's ECR replica, so
            // the registry differs by cell; the first reference seen is the one reported.
            const images = new Map<string, { shown: string; at: string[] }>();
            for (const deployment of deployments) {
                const spec = obj(obj(obj(deployment.props.spec).template).spec);
                for (const container of list<Props>(spec.containers)) {
                    const image = whenKnown(() => (typeof container.image === "string" ? container.image : undefined), undefined);
                    if (image === undefined) continue;
                    const content = image.replace(/^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//, "");
                    const seen = images.get(content) ?? { shown: image, at: [] };
                    images.set(content, { shown: seen.shown, at: [...new Set([...seen.at, enclosingCell(deployment)!.name])] });
                }
            }
            if (images.size > config.maxImages) {
                const which = [...images.values()].map(({ shown, at }) => `${at.join(", ")}: ${shown}`).join("; ");
                report(
                    `the cells run ${images.size} distinct API images (${which}); at most ${config.maxImages}: finish or roll back the release under way first`,
                );
            }
            const minors = [
                ...new Set(
                    clusters
                        .map((c) => whenKnown(() => (typeof c.props.version === "string" ? c.props.version : undefined), undefined))
                        .filter((v): v is string => v !== undefined),
                ),
            ].sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
            const spread = minors.length < 2 ? 0 : Number(minors.at(-1)!.split(".")[1]) - Number(minors[0].split(".")[1]);
            if (minors.length > 2 || spread > 1) {
                report(
                    `the cells' EKS clusters run Kubernetes ${minors.join(", ")}; EKS upgrades one minor at a time, so at most two adjacent minors at once`,
                );
            }
        },
    }),
];

/**
 * The Aurora members mid-upgrade (docs/releases.md, "The Aurora engine"): one major (a major is
 * upgraded on the global cluster, all members at once), at most two versions, and the primary (the
 * member that names the master user) never ahead of a secondary: "upgrade all of the secondary
 * clusters before you upgrade the primary cluster" (Aurora User Guide, Upgrading an Amazon Aurora
 * global database, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html).
 */
function auroraSkew(members: readonly PolicyResource[]): string[] {
    const known = members
        .map((m) => ({
            cell: enclosingCell(m)!.name,
            primary: whenKnown(() => isSet(m.props.masterUsername), false),
            version: whenKnown(() => (typeof m.props.engineVersion === "string" ? m.props.engineVersion : undefined), undefined),
        }))
        .filter((m): m is { cell: string; primary: boolean; version: string } => m.version !== undefined && /^\d+\.\d+/.test(m.version));
    const parts = (v: string) => v.split(".").map(Number);
    const older = (a: string, b: string) => parts(a)[0] - parts(b)[0] || parts(a)[1] - parts(b)[1];
    const versions = [...new Set(known.map((m) => m.version))].sort(older);
    const problems: string[] = [];
    const shown = known.map((m) => `${m.cell}: ${m.version}`).join("; ");
    if (new Set(versions.map((v) => parts(v)[0])).size > 1)
        problems.push(
            `the Aurora members run ${versions.join(", ")} (${shown}); a major is upgraded on the global cluster, every member at once`,
        );
    else if (versions.length > 2)
        problems.push(`the Aurora members run ${versions.length} versions (${shown}); at most 2: finish the minor upgrade under way first`);
    const primary = known.find((m) => m.primary);
    const behind = primary ? known.filter((m) => !m.primary && older(m.version, primary.version) < 0) : [];
    if (primary && behind.length > 0)
        problems.push(
            `the Aurora primary ${primary.cell} runs ${primary.version}, ahead of ${behind.map((m) => `${m.cell} (${m.version})`).join(", ")}; AWS upgrades the secondaries first ("upgrade global replicas first")`,
        );
    return problems;
}

/**
 * The monthly cost of a plan, per cell and in total, at minimum scale (every cell at its
 * normal users and its node groups at their minimum) and at worst-case scale (each cell at the
 * users of its worst tolerated failure and its node groups at their maximum). What exists and
 * how big it is comes from the plan's own resources; what traffic does (requests, bytes, I/O,
 * logs) from the usage assumptions below; prices from the snapshot (prices.ts). Pure.
 */
import {
    CLOUDFLARE_LB,
    CLOUDFLARE_PLAN_MONTH,
    CURRENCY,
    DB_CLASS_VCPUS,
    HOURS_PER_MONTH,
    PRICE_DATE,
    type Price,
    type PriceKey,
    RDS_PROXY_MIN_VCPUS,
    awsPrice,
} from "./prices";

/**
 * What the estimate assumes traffic does: not facts, the estimate's knobs, each with why.
 * Change one here and the tests' hand-computed figures say what moves.
 */
export const USAGE = {
    /** API requests a concurrent user makes per second (a browser extension polling every ~10 s). */
    requestsPerUserPerSecond: 0.1,
    /** Bytes an ALB processes per request, both directions (small JSON bodies and headers). */
    bytesPerRequest: 4096,
    /** Aurora storage I/O requests per API request (most reads are served by the cache). */
    auroraIoPerRequest: 1,
    /** Share of API requests that write (they replicate to every secondary). */
    writeShare: 0.1,
    /** Bytes of replicated change per write request (the global database's storage-level log). */
    bytesPerWrite: 2048,
    /** Aurora storage per cluster; each member of a global database bills its own copy. */
    auroraStorageGb: 100,
    /** NAT data per node per month: what the VPC endpoints do not carry (OS packages, third-party APIs). */
    natGbPerNodeMonth: 20,
    /** VPC flow-log ingestion per node per month (trafficType ALL, one-minute aggregation). */
    flowLogGbPerNodeMonth: 5,
    /** EKS control-plane log ingestion per cluster per month (all five log types, audit the largest). */
    controlPlaneLogGbPerClusterMonth: 30,
} as const;

/** Seconds in a 730-hour month. */
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const GB = 1e9;

/** A resource as the estimate reads it (a plan resource fits). */
export interface CostResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly inputs: Record<string, unknown>;
}

/** A cell as the estimate reads it: its region and the users the capacity model gives it. */
export interface CostCell {
    readonly code: string;
    readonly region: string;
    readonly primary: boolean;
    readonly normalUsers: number;
    readonly worstCaseUsers: number;
    /**
     * The API's nodes, which Karpenter launches (no node group declares them): the capacity
     * model's node range for the cell and its instance type. Counted only where the cell's plan
     * declares a Karpenter NodePool.
     */
    readonly apiNodes?: { readonly range: Range; readonly instanceType: string };
}

export interface CostInput {
    readonly resources: readonly CostResource[];
    /** Each resource's cell code (or null outside cells): `cellCodes` of plan.ts. */
    readonly cellOf: ReadonlyMap<string, string | null>;
    readonly cells: readonly CostCell[];
    readonly targetConcurrentUsers: number;
    readonly cloudflare: {
        readonly plan: "free" | "pro" | "business" | "enterprise";
        /** The stack that owns the zone, when this one is its tenant (then the zone plan is billed there). */
        readonly zoneOwner?: string;
    };
}

export interface Range {
    readonly min: number;
    readonly worstCase: number;
}

export interface CostLine {
    readonly item: string;
    /** Units priced, at minimum and at worst-case scale. */
    readonly quantity: Range;
    readonly unit: string;
    readonly unitUsd: number;
    readonly monthly: Range;
    readonly basis: Price["basis"];
    /** The reference region's price stands in for this region's. */
    readonly fallback: boolean;
    readonly source: string;
    /** When the figure was read (prices.ts). */
    readonly read: string;
}

export interface CellCost {
    readonly code: string;
    readonly region: string;
    readonly lines: CostLine[];
    readonly monthly: Range;
}

export interface CostEstimate {
    readonly priceDate: string;
    readonly currency: string;
    readonly hoursPerMonth: number;
    readonly monthly: Range;
    /** Monthly total per 1,000 of the target concurrent users. */
    readonly per1000Users: Range;
    readonly cells: Record<string, CellCost>;
    /** What is outside every cell: the Cloudflare plan and load balancing. */
    readonly global: { readonly lines: CostLine[]; readonly monthly: Range };
    readonly usage: typeof USAGE;
    /** Every assumption the figures rest on, in words. */
    readonly assumptions: string[];
    /** What the plan declares that the snapshot has no price for (not in the totals). */
    readonly unpriced: string[];
    /** What the plan declares that the estimate does not model at all (not in the totals either). */
    readonly notModeled: string[];
}

/**
 * Types the plan declares whose charge the estimate does not model, each with what it bills
 * (the vendor's pricing page); listed when the plan has one, never priced at zero silently.
 */
export const NOT_MODELED: Readonly<Record<string, string>> = {
    "aws:backup/vault:Vault":
        "AWS Backup: the recovery points' storage (35 days) and each copy to another region's vault (aws.amazon.com/backup/pricing)",
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault":
        "AWS Backup logically air-gapped vault: the primary's copies' storage (35 days), at the air-gapped vault's Aurora rate (aws.amazon.com/backup/pricing)",
    "aws:arcregionswitch/plan:Plan":
        "ARC Region switch: a charge per plan and month (aws.amazon.com/application-recovery-controller/pricing)",
    "aws:fis/experimentTemplate:ExperimentTemplate":
        "AWS FIS: per action-minute of each experiment run; nothing while none runs (aws.amazon.com/fis/pricing)",
    "aws:rds/globalCluster:GlobalCluster":
        "Aurora global database: the replicated write I/Os each secondary bills (aws.amazon.com/rds/aurora/pricing)",
    "aws:lambda/function:Function":
        "Lambda: requests and GB-seconds of the invoked functions (a handful a day; aws.amazon.com/lambda/pricing)",
};

/** What no resource shows: traffic and support the estimate leaves out (docs/cost.md, "Not priced"). */
export const NEVER_MODELED: readonly string[] = [
    "data transfer to the internet (Cloudflare fetches from the ALBs) and across AZs",
    "EKS extended support ($0.60 an hour per cluster instead of $0.10 once a version leaves standard support; upgradePolicy EXTENDED)",
    "Cloudflare health checks from more regions or at shorter intervals, and traffic (the plans are flat-rate)",
];

/** Cents, so that sums of rounded lines equal the rounded totals. */
export function round2(n: number): number {
    return Math.round(n * 100) / 100;
}

function range(min: number, worstCase: number = min): Range {
    return { min, worstCase };
}

function sum(ranges: readonly Range[]): Range {
    return { min: round2(ranges.reduce((s, r) => s + r.min, 0)), worstCase: round2(ranges.reduce((s, r) => s + r.worstCase, 0)) };
}

const num = (v: unknown, fallback = 0): number => (typeof v === "number" ? v : fallback);
const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});

export function estimateCost(input: CostInput): CostEstimate {
    const unpriced: string[] = [];
    const assumptions = new Set<string>();
    const cells: Record<string, CellCost> = {};
    const secondaries = input.cells.filter((c) => !c.primary).length;

    for (const cell of input.cells) {
        const lines: CostLine[] = [];
        const mine = input.resources.filter((r) => input.cellOf.get(r.urn) === cell.code);
        const ofType = (type: string) => mine.filter((r) => r.type === type);
        const line = (item: string, key: PriceKey, variant: string | undefined, quantity: Range): void => {
            const found = awsPrice(cell.region, key, variant);
            if (!found) {
                unpriced.push(
                    `${cell.code} ${item}: no ${key}${variant ? ` for ${variant}` : ""} in the price snapshot (plan/cost/prices.ts)`,
                );
                return;
            }
            const { price, fallback } = found;
            if (fallback)
                assumptions.add(
                    `${cell.region}: ${key}${variant ? ` ${variant}` : ""} at the us-east-1 price (no ${cell.region} figure in the snapshot)`,
                );
            // Hourly prices bill every hour of the month; the others are per unit or per month already.
            const factor = price.unit.endsWith("hour") ? HOURS_PER_MONTH : 1;
            lines.push({
                item,
                quantity: range(round2(quantity.min), round2(quantity.worstCase)),
                unit: price.unit,
                unitUsd: price.usd,
                monthly: range(round2(quantity.min * price.usd * factor), round2(quantity.worstCase * price.usd * factor)),
                basis: price.basis,
                fallback,
                source: price.source,
                read: price.read,
            });
        };

        // Requests per month from the users the capacity model sends here.
        const requests = range(
            cell.normalUsers * USAGE.requestsPerUserPerSecond * SECONDS_PER_MONTH,
            cell.worstCaseUsers * USAGE.requestsPerUserPerSecond * SECONDS_PER_MONTH,
        );

        // EC2 nodes: the node groups' minimum and maximum, priced at the first (preferred) type,
        // and the API's nodes that Karpenter launches within the capacity model's range.
        const groups = ofType("aws:eks/nodeGroup:NodeGroup");
        const karpenter =
            cell.apiNodes !== undefined && ofType("kubernetes:karpenter.sh/v1:NodePool").length > 0 ? cell.apiNodes : undefined;
        const nodes = range(
            groups.reduce((s, g) => s + num(obj(g.inputs.scalingConfig).minSize), 0) + (karpenter?.range.min ?? 0),
            groups.reduce((s, g) => s + num(obj(g.inputs.scalingConfig).maxSize), 0) + (karpenter?.range.worstCase ?? 0),
        );
        const types = [...new Set(groups.map((g) => (g.inputs.instanceTypes as string[] | undefined)?.[0] ?? ""))];
        for (const type of types) {
            const these = groups.filter((g) => (g.inputs.instanceTypes as string[] | undefined)?.[0] === type);
            const n = range(
                these.reduce((s, g) => s + num(obj(g.inputs.scalingConfig).minSize), 0),
                these.reduce((s, g) => s + num(obj(g.inputs.scalingConfig).maxSize), 0),
            );
            line(`EC2 nodes (${type})`, "ec2InstanceHour", type, n);
        }
        if (groups.length > 0) assumptions.add("EC2 nodes priced at each node group's first instance type, on demand");
        if (karpenter) {
            line(`EC2 API nodes by Karpenter (${karpenter.instanceType})`, "ec2InstanceHour", karpenter.instanceType, karpenter.range);
            assumptions.add(
                "Karpenter's API nodes priced on demand at the capacity model's instance type, from its minimum to its worst-case node count",
            );
        }
        const rootGb = ofType("aws:ec2/launchTemplate:LaunchTemplate")
            .flatMap((lt) => (lt.inputs.blockDeviceMappings as { ebs?: { volumeSize?: number } }[] | undefined) ?? [])
            .reduce((s, m) => Math.max(s, num(m.ebs?.volumeSize)), 0);
        if (rootGb > 0)
            line(
                `Node root volumes (gp3, ${rootGb} GB each)`,
                "ebsGp3GbMonth",
                undefined,
                range(nodes.min * rootGb, nodes.worstCase * rootGb),
            );

        // EKS control planes: extended support costs more only once the version leaves standard support.
        const clusters = ofType("aws:eks/cluster:Cluster");
        if (clusters.length > 0) {
            line("EKS clusters", "eksClusterHour", undefined, range(clusters.length));
            if (clusters.some((c) => obj(c.inputs.upgradePolicy).supportType === "EXTENDED"))
                assumptions.add(
                    "EKS clusters priced in standard support: upgradePolicy EXTENDED costs $0.60 an hour per cluster once the version leaves standard support",
                );
        }

        const nat = ofType("aws:ec2/natGateway:NatGateway").length;
        if (nat > 0) {
            line("NAT gateways", "natGatewayHour", undefined, range(nat));
            line(
                "NAT data processed",
                "natGatewayGb",
                undefined,
                range(nodes.min * USAGE.natGbPerNodeMonth, nodes.worstCase * USAGE.natGbPerNodeMonth),
            );
        }

        const albs = ofType("aws:lb/loadBalancer:LoadBalancer").filter((lb) => lb.inputs.internal !== true);
        const publicIps =
            ofType("aws:ec2/eip:Eip").length + albs.reduce((s, lb) => s + ((lb.inputs.subnets as unknown[] | undefined)?.length ?? 0), 0);
        if (publicIps > 0) line("Public IPv4 addresses (NAT EIPs, ALB nodes)", "publicIpv4Hour", undefined, range(publicIps));

        const endpointAzs = ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
            .filter((e) => e.inputs.vpcEndpointType === "Interface")
            .reduce((s, e) => s + ((e.inputs.subnetIds as unknown[] | undefined)?.length ?? 0), 0);
        if (endpointAzs > 0) line("Interface VPC endpoints (endpoint-AZs)", "interfaceEndpointAzHour", undefined, range(endpointAzs));

        if (albs.length > 0) {
            line("Application load balancers", "albHour", undefined, range(albs.length));
            // LCUs by processed bytes (1 GB an hour is one LCU), the largest dimension at these request sizes.
            const lcu = (r: number) => (r * USAGE.bytesPerRequest) / GB / HOURS_PER_MONTH;
            line("ALB capacity units (by processed bytes)", "albLcuHour", undefined, range(lcu(requests.min), lcu(requests.worstCase)));
        }

        // Aurora: every instance the plan declares (readers are sized for the worst case already).
        const instances = ofType("aws:rds/clusterInstance:ClusterInstance");
        for (const cls of [...new Set(instances.map((i) => String(i.inputs.instanceClass)))]) {
            line(
                `Aurora instances (${cls})`,
                "auroraInstanceHour",
                cls,
                range(instances.filter((i) => i.inputs.instanceClass === cls).length),
            );
        }
        const dbClusters = ofType("aws:rds/cluster:Cluster").length;
        if (dbClusters > 0) {
            line(
                `Aurora storage (${USAGE.auroraStorageGb} GB a cluster)`,
                "auroraStorageGbMonth",
                undefined,
                range(dbClusters * USAGE.auroraStorageGb),
            );
            const io = (r: number) => (r * USAGE.auroraIoPerRequest) / 1e6;
            line("Aurora I/O requests (millions)", "auroraIoMillion", undefined, range(io(requests.min), io(requests.worstCase)));
        }
        const proxies = ofType("aws:rds/proxy:Proxy").length;
        if (proxies > 0) {
            const vcpus = instances.reduce((s, i) => {
                const v = DB_CLASS_VCPUS[String(i.inputs.instanceClass)];
                if (v === undefined)
                    unpriced.push(`${cell.code} RDS Proxy: no vCPU count for ${String(i.inputs.instanceClass)} (DB_CLASS_VCPUS)`);
                return s + (v ?? 0);
            }, 0);
            line("RDS Proxy (target vCPUs)", "rdsProxyVcpuHour", undefined, range(Math.max(vcpus, proxies * RDS_PROXY_MIN_VCPUS)));
        }
        // Replication: the primary sends every write's change to each secondary (inter-region transfer out).
        if (cell.primary && secondaries > 0 && dbClusters > 0) {
            // Writes do not grow when a region fails: the same users move to other cells.
            const total = input.cells.reduce((s, c) => s + c.normalUsers, 0);
            const gb = (users: number) =>
                (users * USAGE.requestsPerUserPerSecond * SECONDS_PER_MONTH * USAGE.writeShare * USAGE.bytesPerWrite * secondaries) / GB;
            line(`Global database replication to ${secondaries} secondaries`, "interRegionGb", undefined, range(gb(total)));
        }

        for (const group of ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
            const type = String(group.inputs.nodeType);
            const n = num(group.inputs.numNodeGroups, 1) * (1 + num(group.inputs.replicasPerNodeGroup));
            line(`ElastiCache nodes (${type})`, "elasticacheNodeHour", type, range(n));
        }

        for (const domain of ofType("aws:opensearch/domain:Domain")) {
            const cc = obj(domain.inputs.clusterConfig);
            const dataType = String(cc.instanceType);
            const data = num(cc.instanceCount, 1);
            line(`OpenSearch data nodes (${dataType})`, "openSearchInstanceHour", dataType, range(data));
            if (cc.dedicatedMasterEnabled === true) {
                const masterType = String(cc.dedicatedMasterType);
                line(`OpenSearch masters (${masterType})`, "openSearchInstanceHour", masterType, range(num(cc.dedicatedMasterCount)));
            }
            const ebs = obj(domain.inputs.ebsOptions);
            if (ebs.ebsEnabled === true) {
                line(
                    `OpenSearch storage (gp3, ${num(ebs.volumeSize)} GB a node)`,
                    "openSearchGp3GbMonth",
                    undefined,
                    range(data * num(ebs.volumeSize)),
                );
                // gp3 above 3,000 IOPS / 125 MiB/s is billed extra; the plan declares the baseline.
                if (num(ebs.iops, 3000) > 3000 || num(ebs.throughput, 125) > 125)
                    unpriced.push(`${cell.code} OpenSearch gp3 IOPS/throughput above the baseline`);
            }
        }

        // CloudWatch Logs: the two big producers, ingested and kept for their groups' retention.
        const flowLogs = ofType("aws:ec2/flowLog:FlowLog").length;
        const ingest = range(
            flowLogs * nodes.min * USAGE.flowLogGbPerNodeMonth + clusters.length * USAGE.controlPlaneLogGbPerClusterMonth,
            flowLogs * nodes.worstCase * USAGE.flowLogGbPerNodeMonth + clusters.length * USAGE.controlPlaneLogGbPerClusterMonth,
        );
        if (ingest.worstCase > 0) {
            line("CloudWatch Logs ingested (flow logs, EKS control plane)", "logsIngestGb", undefined, ingest);
            const retention = (name: string) => {
                const group = ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.name.endsWith(name));
                return num(group?.inputs.retentionInDays, 30) / 30;
            };
            // Steady state: a month's ingestion times the months each group keeps it.
            const stored = (n: number) =>
                flowLogs * n * USAGE.flowLogGbPerNodeMonth * retention("-net-flow-logs") +
                clusters.length * USAGE.controlPlaneLogGbPerClusterMonth * retention("-eks-control-plane-logs");
            line(
                "CloudWatch Logs stored (at each group's retention)",
                "logsStorageGbMonth",
                undefined,
                range(stored(nodes.min), stored(nodes.worstCase)),
            );
        }
        const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length;
        if (alarms > 0) line("CloudWatch alarms", "alarmMonth", undefined, range(alarms));
        const keys = ofType("aws:kms/key:Key").length;
        if (keys > 0) line("KMS keys", "kmsKeyMonth", undefined, range(keys));
        const secrets = ofType("aws:secretsmanager/secret:Secret").length;
        if (secrets > 0) line("Secrets Manager secrets", "secretMonth", undefined, range(secrets));

        cells[cell.code] = { code: cell.code, region: cell.region, lines, monthly: sum(lines.map((l) => l.monthly)) };
    }

    const global = globalLines(input, unpriced, assumptions);
    const monthly = sum([...Object.values(cells).map((c) => c.monthly), global.monthly]);
    const thousands = input.targetConcurrentUsers / 1000;
    for (const [key, value] of Object.entries(USAGE)) assumptions.add(`usage: ${key} = ${value}`);
    return {
        priceDate: PRICE_DATE,
        currency: CURRENCY,
        hoursPerMonth: HOURS_PER_MONTH,
        monthly,
        per1000Users: thousands > 0 ? range(round2(monthly.min / thousands), round2(monthly.worstCase / thousands)) : range(0),
        cells,
        global,
        usage: USAGE,
        assumptions: [...assumptions],
        unpriced,
        notModeled: notModeled(input.resources),
    };
}

function notModeled(resources: readonly { readonly type: string }[]): string[] {
    const declared = Object.entries(NOT_MODELED)
        .map(([type, what]) => [resources.filter((r) => r.type === type).length, what] as const)
        .filter(([n]) => n > 0)
        .map(([n, what]) => `${what} (${n} declared)`);
    return [...declared, ...NEVER_MODELED];
}

/** Outside the cells: what the stack's resources outside cells cost (Cloudflare plan and load balancing; the global database's own resource is free). */
function globalLines(input: CostInput, unpriced: string[], assumptions: Set<string>): { lines: CostLine[]; monthly: Range } {
    const lines: CostLine[] = [];
    const outside = input.resources.filter((r) => input.cellOf.get(r.urn) === null || input.cellOf.get(r.urn) === undefined);
    const push = (item: string, price: Price, quantity: number) =>
        lines.push({
            item,
            quantity: range(quantity),
            unit: price.unit,
            unitUsd: price.usd,
            monthly: range(round2(quantity * price.usd)),
            basis: price.basis,
            fallback: false,
            source: price.source,
            read: price.read,
        });
    if (input.cloudflare.zoneOwner === undefined) {
        const plan = CLOUDFLARE_PLAN_MONTH[input.cloudflare.plan];
        if (plan) push(`Cloudflare ${input.cloudflare.plan} zone plan`, plan, 1);
        else unpriced.push(`Cloudflare ${input.cloudflare.plan} zone plan: a contract, no list price`);
    } else {
        assumptions.add(`Cloudflare zone plan billed to the zone's owner (${input.cloudflare.zoneOwner}), not here`);
    }
    if (outside.some((r) => r.type === "cloudflare:index/loadBalancer:LoadBalancer")) {
        const origins = outside
            .filter((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool")
            .reduce((s, p) => s + ((p.inputs.origins as unknown[] | undefined)?.length ?? 0), 0);
        push("Cloudflare Load Balancing (base, 2 origins)", CLOUDFLARE_LB.baseMonth, 1);
        const extra = Math.max(0, origins - CLOUDFLARE_LB.includedOrigins);
        if (extra > 0) push(`Cloudflare Load Balancing, origins beyond 2 (${origins} in all)`, CLOUDFLARE_LB.extraOriginMonth, extra);
        assumptions.add("Cloudflare Load Balancing: health-check regions and intervals priced as included");
    }
    return { lines, monthly: sum(lines.map((l) => l.monthly)) };
}

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ComputeConfig } from "../../config/compute";
import { type DataConfig } from "../../config/data";
import { type ObservabilityConfig } from "../../config/observability";
import { type AppConfig, type CellConfig } from "../../config/platform";
import { type CellCapacity } from "../../regions/capacity";
import { ApiWorkload, dataConnectionArgs } from "../compute/apiWorkload";
import { ClusterAddons } from "../compute/clusterAddons";
import { EksCluster } from "../compute/eksCluster";
import { NodeGroups } from "../compute/nodeGroups";
import { type CloudflareRanges, OriginIngress } from "../compute/originIngress";
import { type GlobalDatabase } from "../data/database";
import { DataTier } from "../data/dataTier";
import { Network } from "../network/network";
import { Observability } from "../observability/observability";

export interface RegionalCellArgs {
    /** The cell's region, code, CIDR and AZs, from the validated config. */
    readonly cell: CellConfig;
    /** EKS, node and pod settings (`platform:compute`). */
    readonly compute: ComputeConfig;
    readonly app: AppConfig;
    /** The public domain's validated ACM certificate in this cell's region. */
    readonly certificateArn: pulumi.Input<string>;
    /** The public domain the cell's ALB serves. */
    readonly domain: string;
    /** The secret header value Cloudflare adds to this zone's requests (components/originAuth.ts). */
    readonly originAuthToken: pulumi.Input<string>;
    /** Cloudflare's ranges, read once for every cell. */
    readonly cloudflare: CloudflareRanges;
    /** This cell's figures from the capacity model: HPA and node ranges, readers, cache shards. */
    readonly capacity: CellCapacity;
    readonly data: DataConfig;
    /** The stack's one Aurora global database. */
    readonly globalDatabase: GlobalDatabase;
    /** Secondaries only: the primary cell, whose cluster must exist before a secondary joins. */
    readonly primaryCell?: RegionalCell;
    readonly observability: ObservabilityConfig;
    /** The AWS account id (alarm dimensions, ARNs, KMS key policies). */
    readonly accountId: pulumi.Input<string>;
}

/**
 * One AWS region's complete stack, stamped once per entry of `platform:regions`. Its name
 * is the region code, and every child's name starts with it, so cells never collide.
 * Tiers are composed here; each is a component of its own.
 */
export class RegionalCell extends pulumi.ComponentResource {
    readonly region: string;
    readonly code: string;
    readonly network: Network;
    readonly eks: EksCluster;
    readonly nodes: NodeGroups;
    readonly addons: ClusterAddons;
    readonly ingress: OriginIngress;
    readonly api: ApiWorkload;
    readonly data: DataTier;
    readonly observability: Observability;
    /** The cell's Kubernetes provider (region explicit in its kubeconfig). */
    readonly kubernetes: k8s.Provider;
    /** Plain: `<project>-<stack>-<code>`, unique per account and region. */
    readonly clusterName: string;
    /**
     * The security group the data tier admits: EKS's cluster security group, which EKS
     * attaches to every managed node and so to every pod (the VPC CNI gives pods the
     * node's groups). Chosen over a custom node group so the launch template stays free of
     * security groups and EKS keeps control plane ↔ node rules itself.
     */
    readonly workloadSecurityGroupId: pulumi.Output<string>;
    /** The ALB's DNS name: the origin of this cell's Cloudflare pool. */
    readonly originHostname: pulumi.Output<string>;

    constructor(name: string, args: RegionalCellArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:RegionalCell", name, {}, opts);
        const { cell, compute, app, capacity } = args;
        if (!cell.primary && !args.primaryCell)
            throw new pulumi.ResourceError(
                `RegionalCell "${name}": a secondary cell needs primaryCell (create the primary cell first)`,
                this,
            );
        const child = { parent: this };
        this.region = cell.region;
        this.code = cell.code;
        this.clusterName = `${pulumi.getProject()}-${pulumi.getStack()}-${cell.code}`;

        this.network = new Network(`${name}-net`, { region: cell.region, cidr: cell.cidr, azs: cell.azs }, child);
        this.eks = new EksCluster(
            `${name}-eks`,
            {
                region: cell.region,
                clusterName: this.clusterName,
                kubernetesVersion: compute.kubernetesVersion,
                subnetIds: this.network.privateSubnetIds,
                adminRoleArn: compute.adminRoleArn,
                publicAccessCidrs: compute.publicAccessCidrs,
                logRetentionDays: args.observability.logRetentionDays,
            },
            child,
        );
        this.kubernetes = this.eks.kubernetes;
        const withK8s = { parent: this, providers: [this.kubernetes] };

        this.nodes = new NodeGroups(
            `${name}-nodes`,
            {
                region: cell.region,
                clusterName: this.eks.clusterName,
                kubernetesVersion: compute.kubernetesVersion,
                azs: cell.azs,
                subnetIds: this.network.privateSubnetIds,
                instanceTypes: compute.instanceTypes,
                nodesPerZone: nodesPerZone(capacity, cell.azs.length),
                rootVolumeGiB: compute.rootVolumeGiB,
                after: this.eks.networkAddons,
            },
            child,
        );
        this.addons = new ClusterAddons(
            `${name}-addons`,
            {
                region: cell.region,
                clusterName: this.clusterName,
                cluster: this.eks.clusterName,
                kubernetesVersion: compute.kubernetesVersion,
                after: this.nodes.nodeGroups,
            },
            withK8s,
        );
        this.workloadSecurityGroupId = this.eks.clusterSecurityGroupId;
        this.ingress = new OriginIngress(
            `${name}-ingress`,
            {
                region: cell.region,
                vpcId: this.network.vpcId,
                publicSubnetIds: this.network.publicSubnetIds,
                certificateArn: args.certificateArn,
                cloudflare: args.cloudflare,
                workloadSecurityGroupId: this.workloadSecurityGroupId,
                appPort: app.port,
                healthPath: app.healthPath,
                clusterName: this.eks.clusterName,
                domain: args.domain,
                originAuthToken: args.originAuthToken,
                after: this.nodes.nodeGroups,
            },
            withK8s,
        );
        this.data = new DataTier(
            `${name}-data`,
            {
                region: cell.region,
                primary: cell.primary,
                global: args.globalDatabase,
                primaryTier: args.primaryCell?.data,
                vpcId: this.network.vpcId,
                isolatedSubnetIds: this.network.isolatedSubnetIds,
                privateSubnetIds: this.network.privateSubnetIds,
                azs: cell.azs,
                clientSecurityGroupIds: [this.workloadSecurityGroupId],
                config: args.data,
                readers: capacity.readers,
                cacheShards: capacity.cacheShards,
            },
            child,
        );
        this.api = new ApiWorkload(
            `${name}-api`,
            {
                region: cell.region,
                clusterName: this.eks.clusterName,
                image: app.image,
                port: app.port,
                healthPath: app.healthPath,
                replicas: capacity.pods,
                cpuMillicores: compute.podCpuMillicores,
                memoryMiB: compute.podMemoryMiB,
                targetGroupArn: this.ingress.targetGroupArn,
                vpcCidr: cell.cidr,
                ...dataConnectionArgs(this.data.connection),
                after: [this.ingress.controller, this.addons.metricsServer],
            },
            withK8s,
        );
        this.observability = new Observability(
            `${name}-obs`,
            {
                region: cell.region,
                accountId: args.accountId,
                vpcId: this.network.vpcId,
                vpcCidr: cell.cidr,
                privateSubnetIds: this.network.privateSubnetIds,
                clusterName: this.eks.clusterName,
                k8sProvider: this.kubernetes,
                config: args.observability,
                after: [this.api],
                aurora: { clusterIdentifier: this.data.database.clusterIdentifier, globalSecondary: !cell.primary },
                cache: {
                    replicationGroupId: this.data.cache.replicationGroupId,
                    shards: this.data.cache.shards,
                    replicasPerShard: this.data.cache.replicasPerShard,
                },
                alb: { arnSuffix: this.ingress.arnSuffix },
            },
            child,
        );
        this.originHostname = this.ingress.dnsName;

        this.registerOutputs({
            region: this.region,
            vpcId: this.network.vpcId,
            clusterName: this.clusterName,
            originHostname: this.originHostname,
            workloadSecurityGroupId: this.workloadSecurityGroupId,
        });
    }
}

/**
 * Node group sizes per AZ from the capacity model's cell totals (which already include one
 * spare node per AZ): the autoscaler starts each group at its minimum.
 */
export function nodesPerZone(capacity: Pick<CellCapacity, "nodes">, azs: number): { min: number; desired: number; max: number } {
    const min = Math.ceil(capacity.nodes.min / azs);
    return { min, desired: min, max: Math.max(min, Math.ceil(capacity.nodes.max / azs)) };
}

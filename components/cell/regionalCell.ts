import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_TYPES } from "../../regions/capacity/nodes";
import { ApiWorkload, dataConnectionArgs } from "../compute/apiWorkload";
import { ClusterAddons } from "../compute/clusterAddons";
import { EksCluster, type PublicEndpoint } from "../compute/eksCluster";
import { Karpenter } from "../compute/karpenter";
import { NodeGroups } from "../compute/nodeGroups";
import { type CloudflareRanges, OriginIngress } from "../compute/originIngress";
import { WarmCapacity } from "../compute/warmCapacity";
import { type CacheSpec, type DatabaseSpec, DataTier } from "../data/dataTier";
import { type GlobalDatabase } from "../data/globalDatabase";
import { Network } from "../network/network";
import { type AlertSubscriptionSpec } from "../observability/alertTopic";
import { type LogDomainSizing } from "../observability/logDomain";
import { type PrometheusSizing } from "../observability/monitoring";
import { Observability } from "../observability/observability";

/** A range of a count the autoscalers move within. */
export interface Range {
    readonly min: number;
    readonly max: number;
}

export interface RegionalCellArgs {
    /** AWS region of the cell, e.g. `us-east-1`. Passed to every child. */
    readonly region: string;
    /** True for the cell that holds the Aurora writer. */
    readonly primary: boolean;
    /** The cell's VPC CIDR. */
    readonly cidr: string;
    /** The cell's three AZ IDs (the catalog's `zoneIds`), in order: subnets and node groups take the letters a, b, c by position. */
    readonly zoneIds: readonly string[];
    /** The EKS cluster's name, unique per account and region. */
    readonly clusterName: string;
    readonly kubernetes: {
        /** EKS minor version, e.g. "1.36". */
        readonly version: string;
        /** The IAM principal running `pulumi up`: cluster-admin through an explicit access entry. */
        readonly deployerArn: pulumi.Input<string>;
        /** IAM role given cluster-admin through an access entry. @default none */
        readonly adminRoleArn?: string;
        /** A dated public-endpoint exception (first deploy). @default none: private endpoint only */
        readonly publicEndpoint?: PublicEndpoint;
    };
    readonly nodes: {
        /** At least two, of one architecture. */
        readonly instanceTypes: readonly string[];
        readonly rootVolumeGiB: number;
        /** Nodes per AZ the API may need, its spare included (the capacity model's figures): the NodePool's limits. */
        readonly perAz: Range;
        /** Fixed size of each AZ's system node group. */
        readonly systemPerAz: number;
    };
    readonly api: {
        /** Container image pinned by digest. */
        readonly image: string;
        readonly port: number;
        readonly healthPath: string;
        readonly cpuMillicores: number;
        readonly memoryMiB: number;
        /** HPA range from the capacity model. */
        readonly replicas: Range;
        /** Placeholder pods holding node room for the failover surge (the model's `warmPods`). */
        readonly warmReplicas: number;
    };
    readonly database: DatabaseSpec;
    readonly cache: CacheSpec;
    readonly observability: {
        /** Days CloudWatch keeps the EKS control-plane and OpenSearch logs. */
        readonly logRetentionDays: number;
        /** The log domain's nodes, and the days a log index lives. */
        readonly opensearch: LogDomainSizing & { readonly indexRetentionDays: number };
        readonly prometheus: PrometheusSizing;
        /** An extra Alertmanager receiver (a secret). @default none */
        readonly alertWebhookUrl?: string;
        /** Subscribers of the cell's alert topics. @default none */
        readonly alerts?: { readonly subscriptions: readonly AlertSubscriptionSpec[] };
        /** Physical names that carry the stack (regions/naming.ts). @default the component names */
        readonly physicalNames?: { readonly prefix: string; readonly logDomain: string };
    };
    /** The public domain's validated ACM certificate in this cell's region. */
    readonly certificateArn: pulumi.Input<string>;
    /** The public domain the cell's ALB serves. */
    readonly domain: string;
    /** The values of the secret header Cloudflare adds that the ALB accepts: both rotation slots (components/edge/originAuth.ts). */
    readonly originAuthTokens: pulumi.Input<string>[];
    /** Cloudflare's ranges, read once for every cell. */
    readonly cloudflare: CloudflareRanges;
    /** The stack's one Aurora global database. */
    readonly globalDatabase: GlobalDatabase;
    /**
     * Secondaries only: what must exist before the cell's cluster joins the global database
     * (the primary cell's `readyForSecondaries`). @default none (the primary)
     */
    readonly databaseDependsOn?: readonly pulumi.Resource[];
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
    readonly karpenter: Karpenter;
    readonly ingress: OriginIngress;
    readonly api: ApiWorkload;
    readonly data: DataTier;
    readonly observability: Observability;
    /** The cell's Kubernetes provider (region explicit in its kubeconfig). */
    readonly kubernetes: k8s.Provider;
    /** Plain, unique per account and region (regions/naming.ts). */
    readonly clusterName: string;
    /**
     * The security group the data tier admits: EKS's cluster security group, which EKS
     * attaches to every managed node and so to every pod (the VPC CNI gives pods the
     * node's groups). Chosen over a custom node group so the launch template stays free of
     * security groups and EKS keeps control plane ↔ node rules itself.
     */
    readonly workloadSecurityGroupId: pulumi.Output<string>;
    /** The primary cell's cluster, writer and database bootstrap: a secondary cell joins the global database after them. [] in a secondary. */
    readonly readyForSecondaries: readonly pulumi.Resource[];
    /** The ALB's DNS name: the origin of this cell's Cloudflare pool. */
    readonly originHostname: pulumi.Output<string>;

    constructor(name: string, args: RegionalCellArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:RegionalCell", name, {}, opts);
        const { region, primary, cidr, zoneIds, kubernetes, nodes, api } = args;
        if (!primary && !args.databaseDependsOn?.length)
            throw new pulumi.ResourceError(
                `RegionalCell "${name}": a secondary cell needs databaseDependsOn (the primary cell's readyForSecondaries; create the primary cell first)`,
                this,
            );
        const child = { parent: this };
        this.region = region;
        this.code = name;
        this.clusterName = args.clusterName;

        this.network = new Network(`${name}-net`, { region, cidr, zoneIds, accountId: args.accountId }, child);
        this.eks = new EksCluster(
            `${name}-eks`,
            {
                region,
                clusterName: this.clusterName,
                kubernetesVersion: kubernetes.version,
                subnetIds: this.network.privateSubnetIds,
                deployerArn: kubernetes.deployerArn,
                adminRoleArn: kubernetes.adminRoleArn,
                publicEndpoint: kubernetes.publicEndpoint,
                logRetentionDays: args.observability.logRetentionDays,
            },
            child,
        );
        this.kubernetes = this.eks.kubernetes;
        const withK8s = { parent: this, providers: [this.kubernetes] };

        this.nodes = new NodeGroups(
            `${name}-nodes`,
            {
                region,
                clusterName: this.eks.clusterName,
                kubernetesVersion: kubernetes.version,
                zoneIds,
                subnetIds: this.network.privateSubnetIds,
                instanceTypes: nodes.instanceTypes,
                nodesPerZone: nodes.systemPerAz,
                rootVolumeGiB: nodes.rootVolumeGiB,
                dependsOn: this.eks.networkAddons,
            },
            child,
        );
        this.addons = new ClusterAddons(
            `${name}-addons`,
            { region, cluster: this.eks.clusterName, kubernetesVersion: kubernetes.version, dependsOn: this.nodes.nodeGroups },
            withK8s,
        );
        this.workloadSecurityGroupId = this.eks.clusterSecurityGroupId;
        // The model's largest node count, as CPU and memory: Karpenter launches up to it and no further.
        const node = INSTANCE_TYPES[nodes.instanceTypes[0]];
        const maxNodes = nodes.perAz.max * zoneIds.length;
        this.karpenter = new Karpenter(
            `${name}-karpenter`,
            {
                region,
                clusterName: this.clusterName,
                cluster: this.eks.clusterName,
                accountId: args.accountId,
                zoneIds,
                subnetIds: this.network.privateSubnetIds,
                clusterSecurityGroupId: this.eks.clusterSecurityGroupId,
                instanceTypes: nodes.instanceTypes,
                rootVolumeGiB: nodes.rootVolumeGiB,
                limits: { cpu: maxNodes * node.vcpus, memoryMiB: maxNodes * node.memoryMiB },
                dependsOn: [...this.nodes.nodeGroups, this.addons.coreDns],
            },
            withK8s,
        );
        // Nodes for the failover surge that exist before the failure: placeholders the API's pods preempt.
        const warm = new WarmCapacity(
            `${name}-warm`,
            {
                replicas: api.warmReplicas,
                cpuMillicores: api.cpuMillicores,
                memoryMiB: api.memoryMiB,
                dependsOn: [this.karpenter.nodePool],
            },
            withK8s,
        );
        this.ingress = new OriginIngress(
            `${name}-ingress`,
            {
                region,
                vpcId: this.network.vpcId,
                publicSubnetIds: this.network.publicSubnetIds,
                certificateArn: args.certificateArn,
                cloudflare: args.cloudflare,
                workloadSecurityGroupId: this.workloadSecurityGroupId,
                appPort: api.port,
                healthPath: api.healthPath,
                clusterName: this.eks.clusterName,
                domain: args.domain,
                originAuthTokens: args.originAuthTokens,
                dependsOn: [...this.nodes.nodeGroups, this.addons.coreDns],
            },
            withK8s,
        );
        this.data = new DataTier(
            `${name}-data`,
            {
                region,
                accountId: args.accountId,
                primary,
                global: args.globalDatabase,
                databaseDependsOn: args.databaseDependsOn,
                vpcId: this.network.vpcId,
                isolatedSubnetIds: this.network.isolatedSubnetIds,
                privateSubnetIds: this.network.privateSubnetIds,
                zoneIds,
                clientSecurityGroupIds: [this.workloadSecurityGroupId],
                database: args.database,
                cache: args.cache,
            },
            child,
        );
        // A secondary joins after the bootstrap too: its pods then find the app's role replicated.
        this.readyForSecondaries = [...this.data.database.readyForSecondaries, ...this.data.ready];
        this.api = new ApiWorkload(
            `${name}-api`,
            {
                region,
                clusterName: this.eks.clusterName,
                image: api.image,
                port: api.port,
                healthPath: api.healthPath,
                replicas: api.replicas,
                cpuMillicores: api.cpuMillicores,
                memoryMiB: api.memoryMiB,
                targetGroupArn: this.ingress.targetGroupArn,
                vpcCidr: cidr,
                albSubnetCidrs: this.network.publicSubnetCidrs,
                ...dataConnectionArgs(this.data.connection),
                // Pods need nodes (Karpenter's pool), names (CoreDNS), readiness gates (the LBC) the HPA's metrics, and the database bootstrap (the app's role).
                dependsOn: [
                    this.ingress.controller,
                    this.addons.metricsServer,
                    this.addons.coreDns,
                    this.karpenter.nodePool,
                    ...this.data.ready,
                ],
            },
            withK8s,
        );
        this.observability = new Observability(
            `${name}-obs`,
            {
                region,
                accountId: args.accountId,
                vpcId: this.network.vpcId,
                vpcCidr: cidr,
                privateSubnetIds: this.network.privateSubnetIds,
                endpointSecurityGroupId: this.network.endpointSecurityGroupId,
                stsEndpoint: this.network.interfaceEndpoints.sts,
                clusterName: this.eks.clusterName,
                k8sProvider: this.kubernetes,
                ...args.observability,
                placeholderNamespaces: [warm.namespace],
                dependsOn: [this.api],
                aurora: {
                    clusterIdentifier: this.data.database.clusterIdentifier,
                    globalSecondary: !primary,
                    instanceClass: args.database.instanceClass,
                },
                cache: {
                    replicationGroupId: this.data.cache.replicationGroupId,
                    shards: this.data.cache.shards,
                    replicasPerShard: this.data.cache.replicasPerShard,
                },
                alb: { arnSuffix: this.ingress.arnSuffix, targetGroupArnSuffix: this.ingress.targetGroupArnSuffix },
                proxy: { proxyName: this.data.proxy.proxyName, targetGroupName: this.data.proxy.targetGroupName, writer: primary },
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

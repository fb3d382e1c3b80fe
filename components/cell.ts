import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppConfig, CellConfig } from "../regions/config";
import { ComputeConfig } from "../regions/computeConfig";
import { ClusterAddons } from "./addons";
import { EksCluster } from "./eks";
import { CloudflareRanges, OriginIngress } from "./ingress";
import { Network } from "./network";
import { NodeGroups } from "./nodes";
import { ApiWorkload, ApiWorkloadArgs } from "./workload";

export interface RegionalCellArgs {
    /** The cell's region, code, CIDR and AZs, from the validated config. */
    readonly cell: CellConfig;
    /** EKS, node and pod settings (`platform:compute`). */
    readonly compute: ComputeConfig;
    readonly app: AppConfig;
    /** The public domain's validated ACM certificate in this cell's region. */
    readonly certificateArn: pulumi.Input<string>;
    /** Cloudflare's ranges, read once for every cell. */
    readonly cloudflare: CloudflareRanges;
    /**
     * Connection settings other tiers hand the API (plain values and Secrets Manager ARNs);
     * `dataConnectionArgs(dataTier.connection)` builds them from the data tier. @default none
     */
    readonly apiConnections?: Pick<ApiWorkloadArgs, "env" | "secretArns" | "secretKmsKeyArns" | "databaseConnectArns" | "dataPorts">;
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
        const { cell, compute, app } = args;
        const child = { parent: this };
        this.region = cell.region;
        this.code = cell.code;
        this.clusterName = `${pulumi.getProject()}-${pulumi.getStack()}-${cell.code}`;

        this.network = new Network(`${name}-net`, { region: cell.region, cidr: cell.cidr, azs: cell.azs }, child);
        this.eks = new EksCluster(`${name}-eks`, {
            region: cell.region,
            clusterName: this.clusterName,
            kubernetesVersion: compute.kubernetesVersion,
            subnetIds: this.network.privateSubnetIds,
            adminRoleArn: compute.adminRoleArn,
            publicAccessCidrs: compute.publicAccessCidrs,
        }, child);
        this.kubernetes = this.eks.kubernetes;
        const withK8s = { parent: this, providers: [this.kubernetes] };

        this.nodes = new NodeGroups(`${name}-nodes`, {
            region: cell.region,
            clusterName: this.eks.clusterName,
            kubernetesVersion: compute.kubernetesVersion,
            azs: cell.azs,
            subnetIds: this.network.privateSubnetIds,
            instanceTypes: compute.instanceTypes,
            nodesPerZone: compute.nodesPerZone,
            rootVolumeGiB: compute.rootVolumeGiB,
            after: this.eks.networkAddons,
        }, child);
        this.addons = new ClusterAddons(`${name}-addons`, {
            region: cell.region,
            clusterName: this.clusterName,
            cluster: this.eks.clusterName,
            kubernetesVersion: compute.kubernetesVersion,
            after: this.nodes.nodeGroups,
        }, withK8s);
        this.workloadSecurityGroupId = this.eks.clusterSecurityGroupId;
        this.ingress = new OriginIngress(`${name}-ingress`, {
            region: cell.region,
            vpcId: this.network.vpcId,
            publicSubnetIds: this.network.publicSubnetIds,
            certificateArn: args.certificateArn,
            cloudflare: args.cloudflare,
            workloadSecurityGroupId: this.workloadSecurityGroupId,
            appPort: app.port,
            healthPath: app.healthPath,
            clusterName: this.eks.clusterName,
            after: this.nodes.nodeGroups,
        }, withK8s);
        this.api = new ApiWorkload(`${name}-api`, {
            region: cell.region,
            clusterName: this.eks.clusterName,
            image: app.image,
            port: app.port,
            healthPath: app.healthPath,
            replicas: compute.replicas,
            cpuMillicores: compute.podCpuMillicores,
            memoryMiB: compute.podMemoryMiB,
            targetGroupArn: this.ingress.targetGroupArn,
            vpcCidr: cell.cidr,
            ...args.apiConnections,
            after: [this.ingress.controller, this.addons.metricsServer],
        }, withK8s);
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

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { zoneSuffix } from "../../regions/addressPlan";
import { onPool } from "../../regions/capacity/nodes";
import { isGraviton } from "../../regions/versions";
import { managedPolicy, serviceTrust } from "../iam";
import { offeredEverywhere } from "./zoneOfferings";

export interface NodeGroupsArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    readonly clusterName: pulumi.Input<string>;
    /** Node kubelet version: the cluster's minor. */
    readonly kubernetesVersion: string;
    /** The cell's AZ IDs; plain because one node group exists per AZ. */
    readonly zoneIds: readonly string[];
    /** Private subnet of each AZ, in the order of `zoneIds`. */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** At least two types of one architecture (capacity diversity within a group). */
    readonly instanceTypes: readonly string[];
    /**
     * Nodes of each AZ's group, fixed (min = desired = max): these run the cluster's own
     * controllers (Karpenter among them, which cannot run on the nodes it launches). Nothing
     * moves the size at run time, so an update never sends a minimum above a stale desired size
     * (EKS refuses that: "Minimum capacity N can't be greater than desired size M",
     * terraform-aws-modules/terraform-aws-eks#3306). @default 1
     */
    readonly nodesPerZone?: number;
    /** Root volume size. @default 50 */
    readonly rootVolumeGiB?: number;
    /** Resources the nodes need first (the networking add-ons). */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Policies of the node role; the VPC CNI uses it for ENIs, nothing else runs as the node. */
export const NODE_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
] as const;

/**
 * A cell's system nodes: one fixed-size managed node group per AZ, all from one hardened
 * launch template, with EKS node auto-repair. The API's nodes are Karpenter's.
 */
export class NodeGroups extends pulumi.ComponentResource {
    readonly nodeGroups: aws.eks.NodeGroup[];
    readonly nodeRoleArn: pulumi.Output<string>;
    readonly nodeRoleName: pulumi.Output<string>;

    constructor(name: string, args: NodeGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:NodeGroups", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const problems = nodeGroupProblems(args);
        if (problems.length > 0) throw new pulumi.ResourceError(`NodeGroups "${name}":\n- ${problems.join("\n- ")}`, this);

        const role = new aws.iam.Role(
            `${name}-role`,
            { assumeRolePolicy: serviceTrust("ec2.amazonaws.com"), description: `${name}: EKS nodes` },
            child,
        );
        const attachments = NODE_POLICIES.map(
            (p) => new aws.iam.RolePolicyAttachment(`${name}-${p}`, { role: role.name, policyArn: managedPolicy(p) }, child),
        );
        const template = launchTemplate(name, region, args.rootVolumeGiB ?? 50, child);

        const size = args.nodesPerZone ?? 1;
        const releaseVersion = latestReleaseVersion(region, args.kubernetesVersion, args.instanceTypes, this);
        // EKS fails a group whose types its AZ does not offer: check every AZ first, by ID.
        const instanceTypes = offeredEverywhere(region, args.zoneIds, args.instanceTypes, { parent: this });
        this.nodeGroups = [];
        args.zoneIds.forEach((_, i) => {
            // The group's AZ is its subnet's (placed by AZ ID); the name keeps the positional letter.
            const zone = zoneSuffix(i);
            const previous = this.nodeGroups[i - 1];
            const group = new aws.eks.NodeGroup(
                `${name}-${zone}`,
                {
                    region,
                    clusterName: args.clusterName,
                    nodeRoleArn: role.arn,
                    version: args.kubernetesVersion,
                    releaseVersion,
                    subnetIds: [args.subnetIds[i]],
                    instanceTypes,
                    amiType: amiTypeFor(args.instanceTypes),
                    capacityType: "ON_DEMAND",
                    scalingConfig: { minSize: size, desiredSize: size, maxSize: size },
                    // Per group; a managed node group surges a new node before it drains an old one, so
                    // capacity holds. The groups roll one after another (each depends on the previous):
                    // the controllers and the monitoring stack all run here, and two zones draining at
                    // once would hold each PDB-guarded eviction behind the other zone's replica.
                    updateConfig: { maxUnavailable: 1 },
                    // EKS replaces a node whose kubelet or container runtime stays unhealthy (aws 7.48 nodeGroup.d.ts).
                    nodeRepairConfig: { enabled: true },
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                    labels: { "platform/zone": zone, ...onPool("system") },
                    tags: { Name: `${name}-${zone}` },
                },
                { parent: this, dependsOn: [...attachments, ...(args.dependsOn ?? []), ...(previous ? [previous] : [])] },
            );
            this.nodeGroups.push(group);
        });
        this.nodeRoleArn = role.arn;
        this.nodeRoleName = role.name;
        this.registerOutputs({ nodeRoleArn: this.nodeRoleArn });
    }
}

/**
 * IMDSv2 only, with a hop limit of 1: pods (one hop further) cannot reach the node's
 * credentials; they get their own through Pod Identity, and the controllers that would
 * otherwise read IMDS are given region and VPC explicitly. Root volumes are encrypted gp3.
 */
function launchTemplate(name: string, region: string, rootVolumeGiB: number, child: pulumi.CustomResourceOptions): aws.ec2.LaunchTemplate {
    return new aws.ec2.LaunchTemplate(
        `${name}-lt`,
        {
            region,
            description: `${name}: EKS managed nodes`,
            updateDefaultVersion: true,
            metadataOptions: {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            },
            blockDeviceMappings: [
                {
                    // AL2023's root device.
                    deviceName: "/dev/xvda",
                    ebs: { volumeSize: rootVolumeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                },
            ],
            tagSpecifications: [
                { resourceType: "instance", tags: { Name: `${name}-node` } },
                { resourceType: "volume", tags: { Name: `${name}-node` } },
            ],
        },
        child,
    );
}

/**
 * The EKS-optimised AMI release EKS recommends today for this minor and architecture, from the
 * public SSM parameter AWS publishes per region (EKS User Guide, "Retrieve recommended Amazon
 * Linux AMI IDs"; the provider's own example, eks/nodeGroup.d.ts "Tracking the latest EKS Node
 * Group AMI releases"). Without it a group keeps the AMI it was created with, scale-outs
 * included, until the next Kubernetes upgrade (compute review F11): with it, the first `up` after
 * AWS publishes a patched AMI rolls the system nodes (a managed node group surges a node before
 * it drains one). Karpenter's nodes follow `al2023@latest` on their own (karpenter.ts).
 */
export function latestReleaseVersion(
    region: string,
    kubernetesVersion: string,
    instanceTypes: readonly string[],
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const parameter = aws.ssm.getParameterOutput({ region, name: releaseVersionParameter(kubernetesVersion, instanceTypes) }, { parent });
    // A public parameter, not a secret (the provider marks `value` secret for every parameter).
    return pulumi.unsecret(parameter.value);
}

/** The SSM parameter of the recommended AL2023 release for `kubernetesVersion` on these instance types' architecture. */
export function releaseVersionParameter(kubernetesVersion: string, instanceTypes: readonly string[]): string {
    const arch = amiTypeFor(instanceTypes) === "AL2023_ARM_64_STANDARD" ? "arm64" : "x86_64";
    return `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${arch}/standard/recommended/release_version`;
}

export function amiTypeFor(instanceTypes: readonly string[]): string {
    return instanceTypes.every(isGraviton) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Everything wrong with the node group arguments, as sentences. */
export function nodeGroupProblems(args: Pick<NodeGroupsArgs, "zoneIds" | "subnetIds" | "instanceTypes" | "nodesPerZone">): string[] {
    const problems: string[] = [];
    const size = args.nodesPerZone ?? 1;
    if (args.zoneIds.length !== args.subnetIds.length)
        problems.push(`${args.zoneIds.length} AZs but ${args.subnetIds.length} subnets; give one private subnet per AZ`);
    if (args.instanceTypes.length < 2)
        problems.push(`${args.instanceTypes.length} instance type(s); give at least two so one type's shortage cannot stop scaling`);
    const arm = args.instanceTypes.filter(isGraviton);
    if (arm.length > 0 && arm.length < args.instanceTypes.length)
        problems.push(`instance types mix Graviton (${arm.join(", ")}) and x86; one node group runs one AMI architecture`);
    if (!(Number.isInteger(size) && size >= 1)) problems.push(`${size} nodes per zone; need a whole number ≥ 1`);
    return problems;
}

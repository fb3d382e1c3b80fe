import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isGraviton } from "../../regions/versions";
import { managedPolicy, serviceTrust } from "../iam";

export interface NodeCount {
    readonly min: number;
    readonly desired: number;
    readonly max: number;
}

export interface NodeGroupsArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    readonly clusterName: pulumi.Input<string>;
    /** Node kubelet version: the cluster's minor. */
    readonly kubernetesVersion: string;
    /** The cell's AZs; plain because one node group exists per AZ. */
    readonly azs: readonly string[];
    /** Private subnet of each AZ, in the order of `azs`. */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** At least two types of one architecture (capacity diversity within a group). */
    readonly instanceTypes: readonly string[];
    /**
     * Nodes of each AZ's group. Plain: the capacity model computes them. Cluster Autoscaler
     * moves `desired` at run time, so later updates leave it alone.
     */
    readonly nodesPerZone: NodeCount;
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
 * A cell's nodes: one managed node group per AZ (so Cluster Autoscaler scales the AZ a
 * pending pod needs, and balances them), all from one hardened launch template.
 */
export class NodeGroups extends pulumi.ComponentResource {
    readonly nodeGroups: aws.eks.NodeGroup[];
    readonly nodeRoleArn: pulumi.Output<string>;

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

        this.nodeGroups = args.azs.map((az, i) => {
            const zone = az.slice(-1);
            return new aws.eks.NodeGroup(
                `${name}-${zone}`,
                {
                    region,
                    clusterName: args.clusterName,
                    nodeRoleArn: role.arn,
                    version: args.kubernetesVersion,
                    subnetIds: [args.subnetIds[i]],
                    instanceTypes: [...args.instanceTypes],
                    amiType: amiTypeFor(args.instanceTypes),
                    capacityType: "ON_DEMAND",
                    scalingConfig: {
                        minSize: args.nodesPerZone.min,
                        desiredSize: args.nodesPerZone.desired,
                        maxSize: args.nodesPerZone.max,
                    },
                    // One node at a time: with pods spread over three AZs, a drain never takes a zone's share down.
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                    labels: { "platform/zone": zone },
                    tags: { Name: `${name}-${zone}` },
                },
                { parent: this, dependsOn: [...attachments, ...(args.dependsOn ?? [])], ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        });
        this.nodeRoleArn = role.arn;
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

export function amiTypeFor(instanceTypes: readonly string[]): string {
    return instanceTypes.every(isGraviton) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Everything wrong with the node group arguments, as sentences. */
export function nodeGroupProblems(args: Pick<NodeGroupsArgs, "azs" | "subnetIds" | "instanceTypes" | "nodesPerZone">): string[] {
    const problems: string[] = [];
    const { min, desired, max } = args.nodesPerZone;
    if (args.azs.length !== args.subnetIds.length)
        problems.push(`${args.azs.length} AZs but ${args.subnetIds.length} subnets; give one private subnet per AZ`);
    if (args.instanceTypes.length < 2)
        problems.push(`${args.instanceTypes.length} instance type(s); give at least two so one type's shortage cannot stop scaling`);
    const arm = args.instanceTypes.filter(isGraviton);
    if (arm.length > 0 && arm.length < args.instanceTypes.length)
        problems.push(`instance types mix Graviton (${arm.join(", ")}) and x86; one node group runs one AMI architecture`);
    if (!(min >= 1 && min <= desired && desired <= max))
        problems.push(`nodes per zone min ${min}, desired ${desired}, max ${max}; need 1 ≤ min ≤ desired ≤ max`);
    return problems;
}

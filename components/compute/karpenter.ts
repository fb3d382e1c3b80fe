import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POOLS, onPool } from "../../regions/capacity/nodes";
import { CHARTS } from "../../regions/versions";
import { managedPolicy, podIdentityRole, policyDocument, serviceTrust } from "../iam";
import { NODE_POLICIES, amiTypeFor } from "./nodeGroups";

export interface KarpenterArgs {
    /** AWS region of the cell. Passed to every child and to the controller's IAM scope. */
    readonly region: string;
    /** The cluster's name, plain: IAM conditions and the interruption queue are keyed by it. */
    readonly clusterName: string;
    /** The cluster resource's name output (carries the dependency on the cluster). */
    readonly cluster: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** The cell's AZ IDs (`use1-az1`): the NodePool launches in these only. */
    readonly zoneIds: readonly string[];
    /** Private subnets, one per AZ: Karpenter's nodes live there. */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** EKS's cluster security group (what the data tier admits; the ALB reaches pods through it). */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    /** Instance types the capacity model packs pods into: the NodePool offers exactly these. */
    readonly instanceTypes: readonly string[];
    readonly rootVolumeGiB: number;
    /** The NodePool's ceiling, from the capacity model: its largest node count × one node's size. */
    readonly limits: { readonly cpu: number; readonly memoryMiB: number };
    /** What the controller needs first: the system nodes it runs on. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const KARPENTER_SA = "karpenter";
export const NODE_CLASS = "api";
/** The NodePool, named as its pool (regions/capacity/nodes.ts POOLS). */
export const NODE_POOL = POOLS.api;
/** The node label Karpenter (and EKS) set to the node's AZ ID. */
export const ZONE_ID_LABEL = "topology.k8s.aws/zone-id";

/**
 * Node autoscaling of a cell: Karpenter (pinned chart) on the fixed-size system node groups,
 * launching nodes for pending pods from one NodePool whose limits come from the capacity
 * model, with its own node role and access entry, an interruption queue for EC2 health and
 * state-change events, and controller IAM scoped to this cluster and region (the policy of
 * Karpenter's getting-started CloudFormation, v1.14). Expects the cell's Kubernetes provider.
 */
export class Karpenter extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly nodePool: k8s.apiextensions.CustomResource;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:Karpenter", name, {}, opts);
        const { region, clusterName } = args;
        const child = { parent: this };

        // A role of its own: EKS gives each managed node group's role an access entry itself, and a second entry would collide.
        const nodeRole = new aws.iam.Role(
            `${name}-node-role`,
            { assumeRolePolicy: serviceTrust("ec2.amazonaws.com"), description: `${name}: nodes launched by Karpenter` },
            child,
        );
        const nodePolicies = NODE_POLICIES.map(
            (p) => new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: managedPolicy(p) }, child),
        );
        const nodeAccess = new aws.eks.AccessEntry(
            `${name}-node-access`,
            { region, clusterName: args.cluster, principalArn: nodeRole.arn, type: "EC2_LINUX" },
            child,
        );

        const queue = new aws.sqs.Queue(
            `${name}-interruptions`,
            { region, name: clusterName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true },
            child,
        );
        new aws.sqs.QueuePolicy(
            `${name}-interruptions-policy`,
            {
                region,
                queueUrl: queue.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Effect: "Allow",
                            Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
                            Action: "sqs:SendMessage",
                            Resource: queue.arn,
                        },
                        {
                            Sid: "DenyHTTP",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "sqs:*",
                            Resource: queue.arn,
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ),
                ),
            },
            child,
        );
        for (const [rule, pattern] of Object.entries(INTERRUPTION_EVENTS)) {
            const eventRule = new aws.cloudwatch.EventRule(
                `${name}-${rule}`,
                { region, description: `${clusterName}: to Karpenter's interruption queue`, eventPattern: JSON.stringify(pattern) },
                child,
            );
            new aws.cloudwatch.EventTarget(`${name}-${rule}-target`, { region, rule: eventRule.name, arn: queue.arn }, child);
        }

        const controller = podIdentityRole(
            `${name}-controller`,
            {
                region,
                clusterName: args.cluster,
                namespace: "kube-system",
                serviceAccount: KARPENTER_SA,
                policy: pulumi.jsonStringify(karpenterControllerPolicy(clusterName, region, args.accountId, nodeRole.arn, queue.arn)),
                description: `${name}: Karpenter controller, scoped to ${clusterName} in ${region}`,
            },
            child,
        );

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                // An OCI chart: the repository is the chart's address.
                chart: CHARTS.karpenter.repository,
                version: CHARTS.karpenter.version,
                namespace: "kube-system",
                name: "karpenter",
                atomic: true,
                values: karpenterValues(clusterName, clusterName),
            },
            { parent: this, dependsOn: [...(args.dependsOn ?? []), controller.association] },
        );

        const nodeClass = new k8s.apiextensions.CustomResource(
            `${name}-node-class`,
            {
                apiVersion: "karpenter.k8s.aws/v1",
                kind: "EC2NodeClass",
                metadata: { name: NODE_CLASS },
                spec: {
                    role: nodeRole.name,
                    // AL2023 of the cluster's version, newest release: Karpenter drifts nodes onto a new AMI (patching),
                    // within the NodePool's disruption budget.
                    amiSelectorTerms: [{ alias: "al2023@latest" }],
                    subnetSelectorTerms: args.subnetIds.map((id) => ({ id })),
                    securityGroupSelectorTerms: [{ id: args.clusterSecurityGroupId }],
                    // As the managed nodes: IMDSv2 only, out of the pods' reach.
                    metadataOptions: {
                        httpEndpoint: "enabled",
                        httpTokens: "required",
                        httpPutResponseHopLimit: 1,
                        httpProtocolIPv6: "disabled",
                    },
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: { volumeSize: `${args.rootVolumeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
                        },
                    ],
                    tags: { Name: `${name}-node` },
                },
            },
            { parent: this, dependsOn: [this.release, nodeAccess, ...nodePolicies] },
        );

        this.nodePool = new k8s.apiextensions.CustomResource(
            `${name}-node-pool`,
            { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: NODE_POOL }, spec: nodePoolSpec(args) },
            { parent: this, dependsOn: [nodeClass] },
        );
        this.registerOutputs({});
    }
}

/** EC2 events Karpenter acts on before AWS does (the getting-started template's rules; on-demand only, so no Spot ones). */
export const INTERRUPTION_EVENTS = {
    "health-events": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
    "state-changes": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
} as const;

/** The NodePool: the model's instance types, on demand, the cell's AZs (by ID), limits from the model. */
export function nodePoolSpec(args: Pick<KarpenterArgs, "zoneIds" | "instanceTypes" | "limits">): Record<string, unknown> {
    const arch = amiTypeFor(args.instanceTypes) === "AL2023_ARM_64_STANDARD" ? "arm64" : "amd64";
    return {
        template: {
            metadata: { labels: onPool("api") },
            spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: NODE_CLASS },
                requirements: [
                    { key: "node.kubernetes.io/instance-type", operator: "In", values: [...args.instanceTypes] },
                    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
                    { key: "kubernetes.io/arch", operator: "In", values: [arch] },
                    // By AZ ID: Karpenter's well-known `topology.k8s.aws/zone-id` ("Globally consistent zone
                    // id", aws/karpenter-provider-aws website/content/en/v1.8/concepts/scheduling.md, Well-Known
                    // Labels). `topology.kubernetes.io/zone` takes names, a different zone in each account.
                    { key: ZONE_ID_LABEL, operator: "In", values: [...args.zoneIds] },
                ],
                // Nodes are replaced within 30 days (a fresh AMI at the latest then).
                expireAfter: "720h",
            },
        },
        // The capacity model's ceiling: Karpenter launches nothing past it.
        limits: { cpu: String(args.limits.cpu), memory: `${args.limits.memoryMiB}Mi` },
        disruption: {
            consolidationPolicy: "WhenEmptyOrUnderutilized",
            // Not faster than the HPA's scale-down window: a dip does not cost nodes the next peak needs.
            consolidateAfter: "5m",
            budgets: [{ nodes: "10%" }],
        },
    };
}

export function karpenterValues(clusterName: string, interruptionQueue: string): Record<string, unknown> {
    return {
        settings: { clusterName, interruptionQueue },
        serviceAccount: { create: true, name: KARPENTER_SA },
        replicas: 2,
        // The chart's zone spread is hard (DoNotSchedule): a dead zone's nodes would block the
        // second replica's rescheduling. Soft, blind to tainted nodes.
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                nodeTaintsPolicy: "Honor",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter" } },
            },
        ],
        controller: { resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } } },
        // On the system nodes. Helm merges this onto the chart's `kubernetes.io/os: linux` (1.14.1 values.yaml:90-91);
        // its default affinity already keeps it off the nodes it launches (values.yaml:93-101).
        nodeSelector: onPool("system"),
    };
}

/**
 * Karpenter's controller policy: the five policies of its getting-started CloudFormation
 * (aws/karpenter-provider-aws website/.../cloudformation.yaml at v1.14.1, 2026-08-20), joined,
 * every ARN in this region and every write conditioned on this cluster's tags.
 */
export function karpenterControllerPolicy(
    clusterName: string,
    region: string,
    accountId: pulumi.Input<string>,
    nodeRoleArn: pulumi.Input<string>,
    queueArn: pulumi.Input<string>,
): pulumi.Output<object> {
    return pulumi.all([accountId, nodeRoleArn, queueArn]).apply(([account, role, queue]) => {
        const ec2 = (kind: string) => `arn:aws:ec2:${region}:*:${kind}/*`;
        const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: "owned" };
        const requestOwned = {
            [`aws:RequestTag/kubernetes.io/cluster/${clusterName}`]: "owned",
            "aws:RequestTag/eks:eks-cluster-name": clusterName,
        };
        const launched = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"].map(ec2);
        const profile = `arn:aws:iam::${account}:instance-profile/*`;
        return policyDocument<Record<string, unknown>>(
            {
                Sid: "AllowScopedEC2InstanceAccessActions",
                Effect: "Allow",
                Resource: [
                    `arn:aws:ec2:${region}::image/*`,
                    `arn:aws:ec2:${region}::snapshot/*`,
                    ec2("security-group"),
                    ec2("subnet"),
                    ec2("capacity-reservation"),
                    ec2("placement-group"),
                ],
                Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            },
            {
                Sid: "AllowScopedEC2LaunchTemplateAccessActions",
                Effect: "Allow",
                Resource: ec2("launch-template"),
                Action: ["ec2:RunInstances", "ec2:CreateFleet"],
                Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowScopedEC2InstanceActionsWithTags",
                Effect: "Allow",
                Resource: launched,
                Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                Condition: { StringEquals: requestOwned, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowScopedResourceCreationTagging",
                Effect: "Allow",
                Resource: launched,
                Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: { ...requestOwned, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
                },
            },
            {
                Sid: "AllowScopedResourceTagging",
                Effect: "Allow",
                Resource: ec2("instance"),
                Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: owned,
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                    StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": clusterName },
                    "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
                },
            },
            {
                Sid: "AllowScopedDeletion",
                Effect: "Allow",
                Resource: [ec2("instance"), ec2("launch-template")],
                Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowPassingInstanceRole",
                Effect: "Allow",
                Resource: role,
                Action: "iam:PassRole",
                Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com"] } },
            },
            {
                Sid: "AllowScopedInstanceProfileCreationActions",
                Effect: "Allow",
                Resource: profile,
                Action: ["iam:CreateInstanceProfile"],
                Condition: {
                    StringEquals: { ...requestOwned, "aws:RequestTag/topology.kubernetes.io/region": region },
                    StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                },
            },
            {
                Sid: "AllowScopedInstanceProfileTagActions",
                Effect: "Allow",
                Resource: profile,
                Action: ["iam:TagInstanceProfile"],
                Condition: {
                    StringEquals: {
                        ...owned,
                        "aws:ResourceTag/topology.kubernetes.io/region": region,
                        ...requestOwned,
                        "aws:RequestTag/topology.kubernetes.io/region": region,
                    },
                    StringLike: {
                        "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                        "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    },
                },
            },
            {
                Sid: "AllowScopedInstanceProfileActions",
                Effect: "Allow",
                Resource: profile,
                Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                Condition: {
                    StringEquals: { ...owned, "aws:ResourceTag/topology.kubernetes.io/region": region },
                    StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                },
            },
            {
                Sid: "AllowAPIServerEndpointDiscovery",
                Effect: "Allow",
                Resource: `arn:aws:eks:${region}:${account}:cluster/${clusterName}`,
                Action: "eks:DescribeCluster",
            },
            {
                Sid: "AllowInterruptionQueueActions",
                Effect: "Allow",
                Resource: queue,
                Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            },
            {
                Sid: "AllowRegionalReadActions",
                Effect: "Allow",
                Resource: "*",
                Action: [
                    "ec2:DescribeCapacityReservations",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstances",
                    "ec2:DescribeInstanceStatus",
                    "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates",
                    "ec2:DescribePlacementGroups",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets",
                ],
                Condition: { StringEquals: { "aws:RequestedRegion": region } },
            },
            {
                Sid: "AllowSSMReadActions",
                Effect: "Allow",
                Resource: `arn:aws:ssm:${region}::parameter/aws/service/*`,
                Action: "ssm:GetParameter",
            },
            { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
            { Sid: "AllowUnscopedInstanceProfileListAction", Effect: "Allow", Resource: "*", Action: "iam:ListInstanceProfiles" },
            { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: profile, Action: "iam:GetInstanceProfile" },
        );
    });
}

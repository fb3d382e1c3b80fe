import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../regions/versions";
import { pinnedRelease } from "../helm";
import { managedPolicy, podIdentityRole, podIdentityServiceRole, policyDocument } from "../iam";
import { pinsOrError } from "./eksCluster";

export interface ClusterAddonsArgs {
    /** AWS region of the cell. Passed to every child and to Cluster Autoscaler. */
    readonly region: string;
    /** The cluster's name as a plain value: Cluster Autoscaler's IAM condition is keyed by it. */
    readonly clusterName: string;
    /** The cluster resource's name output (carries the dependency on the cluster). */
    readonly cluster: pulumi.Input<string>;
    readonly kubernetesVersion: string;
    /** What the add-ons need first: nodes to run on. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const CLUSTER_AUTOSCALER_SA = "cluster-autoscaler";
export const EBS_CSI_SA = "ebs-csi-controller-sa";

/**
 * What runs on the nodes to keep the cluster working: CoreDNS and the EBS CSI driver
 * (EKS add-ons, after the nodes exist), metrics-server (for the HPA) and Cluster Autoscaler
 * (Helm, pinned), each AWS identity through Pod Identity. Expects the cell's Kubernetes
 * provider through `providers`.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    readonly metricsServer: k8s.helm.v3.Release;
    readonly clusterAutoscaler: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:ClusterAddons", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const after = { parent: this, dependsOn: args.dependsOn ?? [] };
        const release = pinsOrError(name, args.kubernetesVersion, this);
        const versions = release.addons;

        new aws.eks.Addon(
            `${name}-coredns`,
            {
                region,
                clusterName: args.cluster,
                addonName: "coredns",
                addonVersion: versions.coredns,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
            },
            after,
        );

        // The add-on associates its own service account with this role.
        const ebs = podIdentityServiceRole(
            `${name}-ebs-csi`,
            { managedPolicies: [managedPolicy("service-role/AmazonEBSCSIDriverPolicy")], description: `${name}: EBS CSI controller` },
            child,
        );
        new aws.eks.Addon(
            `${name}-aws-ebs-csi-driver`,
            {
                region,
                clusterName: args.cluster,
                addonName: "aws-ebs-csi-driver",
                addonVersion: versions["aws-ebs-csi-driver"],
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                podIdentityAssociations: [{ roleArn: ebs.role.arn, serviceAccount: EBS_CSI_SA }],
            },
            { parent: this, dependsOn: [...(args.dependsOn ?? []), ...ebs.attachments] },
        );

        this.metricsServer = new k8s.helm.v3.Release(
            `${name}-metrics-server`,
            {
                ...pinnedRelease(CHARTS.metricsServer, "kube-system", "metrics-server"),
                values: {
                    // Two replicas and a PDB: the HPA goes blind when metrics-server is down.
                    replicas: 2,
                    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
                },
            },
            after,
        );

        const autoscaler = podIdentityRole(
            `${name}-cluster-autoscaler`,
            {
                region,
                clusterName: args.cluster,
                namespace: "kube-system",
                serviceAccount: CLUSTER_AUTOSCALER_SA,
                policy: JSON.stringify(clusterAutoscalerPolicy(args.clusterName)),
                description: `${name}: Cluster Autoscaler, scoped to ${args.clusterName}'s node groups`,
            },
            child,
        );
        this.clusterAutoscaler = new k8s.helm.v3.Release(
            `${name}-cluster-autoscaler`,
            {
                ...pinnedRelease(CHARTS.clusterAutoscaler, "kube-system", "cluster-autoscaler"),
                values: clusterAutoscalerValues(args.clusterName, region, release.clusterAutoscalerImageTag),
            },
            { parent: this, dependsOn: [...(args.dependsOn ?? []), autoscaler.association] },
        );

        this.registerOutputs({});
    }
}

/**
 * Cluster Autoscaler's IAM: it may resize and terminate only in Auto Scaling groups tagged
 * as this cluster's (EKS tags each managed node group's ASG so); reads are account-wide
 * because the Describe APIs support no resource scoping.
 */
export function clusterAutoscalerPolicy(clusterName: string): object {
    return policyDocument(
        {
            Sid: "ScaleOwnNodeGroupsOnly",
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
                    "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                },
            },
        },
        {
            Sid: "Discover",
            Effect: "Allow",
            Action: [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            Resource: "*",
        },
    );
}

export function clusterAutoscalerValues(clusterName: string, region: string, imageTag: string): Record<string, unknown> {
    return {
        cloudProvider: "aws",
        // Explicit, because the nodes' IMDS is out of the pods' reach (hop limit 1).
        awsRegion: region,
        autoDiscovery: { clusterName },
        image: { tag: imageTag },
        fullnameOverride: "cluster-autoscaler",
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SA } },
        replicaCount: 2,
        extraArgs: {
            // One group per AZ: keep them the same size so that zone spread holds as the cell grows.
            "balance-similar-node-groups": true,
            // The per-AZ groups differ only by this label; without ignoring it they are never
            // "similar" and the autoscaler would not keep the zones balanced.
            "balancing-ignore-label": "platform/zone",
            expander: "least-waste",
            "skip-nodes-with-system-pods": false,
            "scale-down-utilization-threshold": 0.5,
        },
    };
}

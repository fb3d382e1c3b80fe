import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { onPool } from "../../regions/capacity/nodes";
import { CHARTS } from "../../regions/versions";
import { pinnedRelease } from "../helm";
import { managedPolicy, podIdentityServiceRole } from "../iam";
import { pinsOrError } from "./eksCluster";

export interface ClusterAddonsArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** The cluster resource's name output (carries the dependency on the cluster). */
    readonly cluster: pulumi.Input<string>;
    readonly kubernetesVersion: string;
    /** What the add-ons need first: nodes to run on. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const EBS_CSI_SA = "ebs-csi-controller-sa";

/**
 * What runs on the nodes to keep the cluster working: CoreDNS and the EBS CSI driver
 * (EKS add-ons, after the nodes exist) and metrics-server (for the HPA; Helm, pinned), each AWS
 * identity through Pod Identity. Node autoscaling is Karpenter's (components/compute/karpenter.ts).
 * Expects the cell's Kubernetes provider through `providers`.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    readonly metricsServer: k8s.helm.v3.Release;
    /** CoreDNS: what the charts and the API wait for on a first run (nothing resolves before it). */
    readonly coreDns: aws.eks.Addon;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:ClusterAddons", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const after = { parent: this, dependsOn: args.dependsOn ?? [] };
        const release = pinsOrError(name, args.kubernetesVersion, this);
        const versions = release.addons;

        this.coreDns = new aws.eks.Addon(
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
            {
                clusterName: args.cluster,
                namespace: "kube-system",
                serviceAccount: EBS_CSI_SA,
                managedPolicies: [managedPolicy("service-role/AmazonEBSCSIDriverPolicy")],
                description: `${name}: EBS CSI controller`,
            },
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
                    // Two replicas, a PDB and soft spread over zones and hosts: the HPA goes blind when metrics-server is down.
                    replicas: 2,
                    // The chart requests 100m/200Mi (3.13.1 values.yaml:173-179) and sets no limit; Helm
                    // merges this onto them. 400Mi, a choice: twice the request, for the ~2 MiB per node
                    // its README measures ("2MiB memory per node") as Karpenter grows the fleet.
                    resources: { limits: { memory: "400Mi" } },
                    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
                    // On the system nodes (3.13.1 values.yaml:185, templates/deployment.yaml:162-163).
                    nodeSelector: onPool("system"),
                    topologySpreadConstraints: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
                        maxSkew: 1,
                        topologyKey,
                        whenUnsatisfiable: "ScheduleAnyway",
                        nodeTaintsPolicy: "Honor",
                        labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server" } },
                    })),
                },
            },
            { parent: this, dependsOn: [...(args.dependsOn ?? []), this.coreDns] },
        );

        this.registerOutputs({});
    }
}

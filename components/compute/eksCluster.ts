import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type KubernetesRelease, kubernetesRelease } from "../../regions/versions";
import { managedPolicy, policyDocument, serviceTrust } from "../iam";
import { protectedKey } from "../kms";
import { kubeconfig } from "./kubeconfig";

export interface EksClusterArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** EKS cluster name, unique per account and region (e.g. `platform-prod-use1`). */
    readonly clusterName: string;
    /** EKS minor; a key of KUBERNETES_VERSIONS (the config validates it). */
    readonly kubernetesVersion: string;
    /** Private subnets of the three AZs: control-plane ENIs live there. */
    readonly subnetIds: pulumi.Input<string>[];
    /**
     * The IAM principal that runs `pulumi up` (and so the cell's Kubernetes provider): given
     * cluster-admin through an explicit access entry, never EKS's implicit creator entry, so
     * that another runner (CI after a human) keeps access and an admin role cannot collide.
     */
    readonly deployerArn: pulumi.Input<string>;
    /**
     * Role given cluster-admin through a second access entry. Plain, compared with a plain
     * `deployerArn`: the same role gets one entry. @default none
     */
    readonly adminRoleArn?: string;
    /**
     * A dated exception: the public endpoint, open to these CIDRs until `until` (the pack's
     * eks-1 rule reads the reason and the date from the cluster's tags). @default none: private only
     */
    readonly publicEndpoint?: PublicEndpoint;
    /** Days control-plane logs are kept. @default 365 */
    readonly logRetentionDays?: number;
}

export interface PublicEndpoint {
    readonly cidrs: readonly string[];
    /** Why, as an EKS tag value. */
    readonly reason: string;
    /** Last day of the exception, `YYYY-MM-DD`. */
    readonly until: string;
}

/** The cluster tags that state a public-endpoint exception (policy/aws/eks.ts reads them). */
export const PUBLIC_ENDPOINT_TAGS = { reason: "platform/public-endpoint-reason", until: "platform/public-endpoint-until" } as const;

/** Every control-plane log type EKS offers: the audit trail and the authenticator's decisions. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Add-ons the nodes need to become Ready; created before the node groups. */
export const NETWORK_ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] as const;

export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/**
 * A cell's EKS control plane: API authentication by access entries only, secrets
 * envelope-encrypted with a KMS key of its own, every control-plane log, a private API
 * endpoint, and the networking add-ons pinned. Nodes and workloads are other components.
 */
export class EksCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthorityData: pulumi.Output<string>;
    /**
     * The security group EKS creates and attaches to the control plane and to every managed
     * node (hence every pod): what other tiers admit traffic from.
     */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly kubernetesVersion: string;
    /** The add-ons node groups must wait for. */
    readonly networkAddons: aws.eks.Addon[];
    /** A Kubernetes provider for this cluster, the region explicit in its kubeconfig. */
    readonly kubernetes: k8s.Provider;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:EksCluster", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const release = pinsOrError(name, args.kubernetesVersion, this);

        const key = secretsKey(name, region, child);
        const { role, ready } = clusterRole(name, key, child);
        // Created first so that EKS writes into a group with a retention, not one it creates forever.
        const logs = new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { region, name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays ?? 365 },
            child,
        );

        const open = args.publicEndpoint;
        const cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                region,
                name: args.clusterName,
                version: args.kubernetesVersion,
                roleArn: role.arn,
                vpcConfig: {
                    subnetIds: args.subnetIds,
                    endpointPrivateAccess: true,
                    // Off unless a dated exception opens it to the runner's CIDRs; the config refuses 0.0.0.0/0.
                    endpointPublicAccess: open !== undefined,
                    ...(open ? { publicAccessCidrs: [...open.cidrs] } : {}),
                },
                // No implicit creator entry: the deployer's is declared below, so it is the same
                // whoever created the cluster, and an admin role equal to it cannot 409.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                // The add-ons below are EKS-managed and pinned; no unmanaged copies to conflict with.
                bootstrapSelfManagedAddons: false,
                // Never auto-upgraded under us at the end of standard support: upgrades are config changes.
                upgradePolicy: { supportType: "EXTENDED" },
                deletionProtection: true,
                tags: {
                    Name: args.clusterName,
                    ...(open ? { [PUBLIC_ENDPOINT_TAGS.reason]: open.reason, [PUBLIC_ENDPOINT_TAGS.until]: open.until } : {}),
                },
            },
            { parent: this, dependsOn: [logs, ...ready] },
        );

        const admin = (role: string, principalArn: pulumi.Input<string>): aws.eks.AccessPolicyAssociation => {
            const entry = new aws.eks.AccessEntry(
                `${name}-${role}`,
                { region, clusterName: cluster.name, principalArn, type: "STANDARD" },
                child,
            );
            return new aws.eks.AccessPolicyAssociation(
                `${name}-${role}-policy`,
                {
                    region,
                    clusterName: cluster.name,
                    principalArn: entry.principalArn,
                    policyArn: CLUSTER_ADMIN_POLICY,
                    accessScope: { type: "cluster" },
                },
                child,
            );
        };
        const deployer = admin("deployer", args.deployerArn);
        if (args.adminRoleArn !== undefined && args.adminRoleArn !== args.deployerArn) admin("admin", args.adminRoleArn);

        this.networkAddons = NETWORK_ADDONS.map(
            (addon) =>
                new aws.eks.Addon(
                    `${name}-${addon}`,
                    {
                        region,
                        clusterName: cluster.name,
                        addonName: addon,
                        addonVersion: release.addons[addon],
                        resolveConflictsOnCreate: "OVERWRITE",
                        resolveConflictsOnUpdate: "PRESERVE",
                        // The VPC CNI enforces NetworkPolicy only when asked to.
                        ...(addon === "vpc-cni" ? { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) } : {}),
                    },
                    child,
                ),
        );

        this.kubernetes = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: kubeconfig({
                    clusterName: cluster.name,
                    endpoint: cluster.endpoint,
                    certificateAuthorityData: cluster.certificateAuthority.data,
                    region,
                }),
                enableServerSideApply: true,
            },
            // Every Kubernetes request runs as the deployer: only once its entry grants cluster-admin.
            { parent: this, dependsOn: [deployer] },
        );
        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.certificateAuthorityData = cluster.certificateAuthority.data;
        this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
        this.kubernetesVersion = args.kubernetesVersion;
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
        });
    }
}

/** The KMS key that envelope-encrypts Kubernetes secrets. Losing it loses every secret: protected. */
function secretsKey(name: string, region: string, child: pulumi.CustomResourceOptions): aws.kms.Key {
    return protectedKey(`${name}-secrets-key`, { region, description: `${name}: envelope encryption of Kubernetes secrets` }, child);
}

/** The control plane's role and what must exist before the cluster uses it. */
function clusterRole(
    name: string,
    key: aws.kms.Key,
    child: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; ready: pulumi.Resource[] } {
    const role = new aws.iam.Role(
        `${name}-cluster-role`,
        {
            assumeRolePolicy: serviceTrust("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
            description: `${name}: EKS control plane`,
        },
        child,
    );
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-cluster-policy`,
        { role: role.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") },
        child,
    );
    const kms = new aws.iam.RolePolicy(
        `${name}-cluster-kms`,
        {
            role: role.id,
            policy: pulumi.jsonStringify(
                policyDocument({
                    Effect: "Allow",
                    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey", "kms:CreateGrant"],
                    Resource: key.arn,
                }),
            ),
        },
        child,
    );
    return { role, ready: [attachment, kms] };
}

/** The version's pins, or a ResourceError that names the component and the fix. */
export function pinsOrError(name: string, version: string, resource: pulumi.Resource): KubernetesRelease {
    try {
        return kubernetesRelease(version);
    } catch (err) {
        throw new pulumi.ResourceError(`${resource.constructor.name} "${name}": ${(err as Error).message}`, resource);
    }
}

/** FSBP EKS controls, on the inputs of aws:eks/cluster:Cluster. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, fsbp, isSet, list, obj, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

type EksCluster = Inputs<aws.eks.ClusterArgs>;

export const eksPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("eks-1-endpoint-not-public", "EKS.1", "high"),
        title: "EKS cluster endpoints should not be publicly accessible.",
        types: [AWS_TYPES.eksCluster],
        config: { allowRestrictedPublicAccess: false },
        configDocs: {
            allowRestrictedPublicAccess:
                "Accept a public endpoint limited by vpcConfig.publicAccessCidrs (none of them 0.0.0.0/0), e.g. for a deploy runner outside the VPC.",
        },
        check: (cluster: EksCluster, _args, report, config) => {
            const vpc = obj(cluster.vpcConfig) as EksCluster["vpcConfig"];
            if (!flag(vpc.endpointPublicAccess, true)) return;
            const cidrs = list<string>(vpc.publicAccessCidrs);
            const restricted = cidrs.length > 0 && !cidrs.some((cidr) => cidr === "0.0.0.0/0" || cidr === "::/0");
            if (config.allowRestrictedPublicAccess && restricted) return;
            report(
                vpc.endpointPublicAccess === undefined
                    ? "the API server endpoint is public: vpcConfig.endpointPublicAccess defaults to true; set it to false (and endpointPrivateAccess to true)"
                    : `the API server endpoint is public (vpcConfig.endpointPublicAccess is true${cidrs.length > 0 ? `, publicAccessCidrs ${cidrs.join(", ")}` : ""}); set it to false (and endpointPrivateAccess to true)`,
            );
        },
    }),
    resourcePolicy({
        ...fsbp("eks-2-supported-version", "EKS.2", "high"),
        title: "EKS clusters should run on a supported Kubernetes version.",
        types: [AWS_TYPES.eksCluster],
        // Standard support of 1.33 ended on 2026-07-29; 1.34's ends on 2026-12-02 (EKS release calendar).
        config: { oldestVersionSupported: "1.34" },
        configDocs: { oldestVersionSupported: "Oldest Kubernetes minor version (major.minor) still in EKS standard support." },
        check: (cluster: EksCluster, _args, report, config) => {
            const version = cluster.version;
            if (!isSet(version)) {
                report(
                    `version is not set: EKS picks its default at creation and never upgrades it; pin a version >= ${config.oldestVersionSupported}`,
                );
                return;
            }
            if (compareMinor(String(version), config.oldestVersionSupported) < 0) {
                report(`Kubernetes ${version} is older than ${config.oldestVersionSupported}, the oldest version in EKS standard support`);
            }
        },
    }),
    resourcePolicy({
        ...fsbp("eks-3-secrets-encrypted", "EKS.3", "medium"),
        title: "EKS clusters should use encrypted Kubernetes secrets.",
        types: [AWS_TYPES.eksCluster],
        check: (cluster: EksCluster, _args, report) => {
            const encryption = cluster.encryptionConfig;
            if (!encryption)
                report(
                    'encryptionConfig is not set: Kubernetes secrets are not envelope-encrypted with a KMS key; set encryptionConfig { resources: ["secrets"], provider.keyArn }',
                );
            else if (!list<string>(encryption.resources).includes("secrets"))
                report('encryptionConfig.resources does not include "secrets"');
        },
    }),
    resourcePolicy({
        ...fsbp("eks-8-audit-logging", "EKS.8", "medium"),
        title: "EKS clusters should have audit logging enabled.",
        types: [AWS_TYPES.eksCluster],
        check: (cluster: EksCluster, _args, report) => {
            const logs = list<string>(cluster.enabledClusterLogTypes);
            if (!logs.includes("audit"))
                report(
                    `enabledClusterLogTypes ${logs.length ? `[${logs.join(", ")}]` : "is not set (no control-plane logs) and"} does not include "audit"`,
                );
        },
    }),
];

/** Compares "1.34" with "1.33" (major.minor; anything after is ignored): negative, zero or positive. */
export function compareMinor(version: string, other: string): number {
    const majorMinor = (text: string) =>
        text
            .split(".")
            .slice(0, 2)
            .map((part) => Number.parseInt(part, 10) || 0);
    const [major, minor] = majorMinor(version);
    const [otherMajor, otherMinor] = majorMinor(other);
    return major !== otherMajor ? major - otherMajor : minor - otherMinor;
}

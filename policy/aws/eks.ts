/** FSBP EKS controls on aws:eks/cluster:Cluster inputs. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, isSet, list, obj, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

export const eksPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "eks-1-endpoint-not-public",
        control: "EKS.1",
        severity: "high",
        title: "EKS cluster endpoints should not be publicly accessible.",
        types: [AWS_TYPES.eksCluster],
        config: { allowRestrictedPublicAccess: false },
        configDocs: {
            allowRestrictedPublicAccess:
                "Accept a public endpoint limited by vpcConfig.publicAccessCidrs (none of them 0.0.0.0/0), e.g. for a deploy runner outside the VPC.",
        },
        check: (p, _a, report, c) => {
            const vpc = obj((p as Inputs<aws.eks.ClusterArgs>).vpcConfig) as Inputs<aws.eks.ClusterArgs>["vpcConfig"];
            if (!flag(vpc.endpointPublicAccess, true)) return;
            const cidrs = list<string>(vpc.publicAccessCidrs);
            const restricted = cidrs.length > 0 && !cidrs.some((x) => x === "0.0.0.0/0" || x === "::/0");
            if (c.allowRestrictedPublicAccess && restricted) return;
            report(
                vpc.endpointPublicAccess === undefined
                    ? "the API server endpoint is public: vpcConfig.endpointPublicAccess defaults to true; set it to false (and endpointPrivateAccess to true)"
                    : `the API server endpoint is public (vpcConfig.endpointPublicAccess is true${cidrs.length > 0 ? `, publicAccessCidrs ${cidrs.join(", ")}` : ""}); set it to false (and endpointPrivateAccess to true)`,
            );
        },
    }),
    resourcePolicy({
        name: "eks-2-supported-version",
        control: "EKS.2",
        severity: "high",
        title: "EKS clusters should run on a supported Kubernetes version.",
        types: [AWS_TYPES.eksCluster],
        // Standard support of 1.33 ended on 2026-07-29; 1.34's ends on 2026-12-02 (EKS release calendar).
        config: { oldestVersionSupported: "1.34" },
        configDocs: { oldestVersionSupported: "Oldest Kubernetes minor version (major.minor) still in EKS standard support." },
        check: (p, _a, report, c) => {
            const version = (p as Inputs<aws.eks.ClusterArgs>).version;
            if (!isSet(version)) {
                report(
                    `version is not set: EKS picks its default at creation and never upgrades it; pin a version >= ${c.oldestVersionSupported}`,
                );
                return;
            }
            if (compareMinor(String(version), c.oldestVersionSupported) < 0) {
                report(`Kubernetes ${version} is older than ${c.oldestVersionSupported}, the oldest version in EKS standard support`);
            }
        },
    }),
    resourcePolicy({
        name: "eks-3-secrets-encrypted",
        control: "EKS.3",
        severity: "medium",
        title: "EKS clusters should use encrypted Kubernetes secrets.",
        types: [AWS_TYPES.eksCluster],
        check: (p, _a, report) => {
            const enc = (p as Inputs<aws.eks.ClusterArgs>).encryptionConfig;
            if (!enc)
                report(
                    'encryptionConfig is not set: Kubernetes secrets are not envelope-encrypted with a KMS key; set encryptionConfig { resources: ["secrets"], provider.keyArn }',
                );
            else if (!list<string>(enc.resources).includes("secrets")) report('encryptionConfig.resources does not include "secrets"');
        },
    }),
    resourcePolicy({
        name: "eks-8-audit-logging",
        control: "EKS.8",
        severity: "medium",
        title: "EKS clusters should have audit logging enabled.",
        types: [AWS_TYPES.eksCluster],
        check: (p, _a, report) => {
            const logs = list<string>((p as Inputs<aws.eks.ClusterArgs>).enabledClusterLogTypes);
            if (!logs.includes("audit"))
                report(
                    `enabledClusterLogTypes ${logs.length ? `[${logs.join(", ")}]` : "is not set (no control-plane logs) and"} does not include "audit"`,
                );
        },
    }),
];

/** Compares "1.34" with "1.33" (major.minor; anything after is ignored). */
export function compareMinor(a: string, b: string): number {
    const parse = (v: string) =>
        v
            .split(".")
            .slice(0, 2)
            .map((n) => Number.parseInt(n, 10) || 0);
    const [am, an] = parse(a);
    const [bm, bn] = parse(b);
    return am !== bm ? am - bm : an - bn;
}

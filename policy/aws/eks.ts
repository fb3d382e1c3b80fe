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
        config: { maxExceptionDays: 30, asOf: "" },
        configDocs: {
            maxExceptionDays:
                "A public endpoint is accepted only as a stated, dated exception (the cluster's platform/public-endpoint-reason and platform/public-endpoint-until tags, restricted publicAccessCidrs); its date may be at most this many days ahead.",
            asOf: "The day (YYYY-MM-DD) exceptions are judged on; empty: today (UTC).",
        },
        check: (cluster: EksCluster, _args, report, config) => {
            const vpc = obj(cluster.vpcConfig) as EksCluster["vpcConfig"];
            if (!flag(vpc.endpointPublicAccess, true)) return;
            const problem = exceptionProblem(vpc, obj(cluster.tags) as Record<string, unknown>, config);
            if (problem !== undefined) report(problem);
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

/** The tags that state a public-endpoint exception (components/compute/eksCluster.ts sets them). */
export const EXCEPTION_TAGS = { reason: "platform/public-endpoint-reason", until: "platform/public-endpoint-until" } as const;

const DAY_MS = 86_400_000;

/** Why a public endpoint is not an acceptable exception, or undefined when it is. */
function exceptionProblem(
    vpc: EksCluster["vpcConfig"],
    tags: Record<string, unknown>,
    config: { maxExceptionDays: number; asOf: string },
): string | undefined {
    const fix = "set it to false (and endpointPrivateAccess to true)";
    const cidrs = list<string>(vpc.publicAccessCidrs);
    if (vpc.endpointPublicAccess === undefined)
        return `the API server endpoint is public: vpcConfig.endpointPublicAccess defaults to true; ${fix}`;
    const opened = `the API server endpoint is public (vpcConfig.endpointPublicAccess is true${cidrs.length > 0 ? `, publicAccessCidrs ${cidrs.join(", ")}` : ""})`;
    if (cidrs.length === 0 || cidrs.some((cidr) => cidr === "0.0.0.0/0" || cidr === "::/0"))
        return `${opened}, open to the whole internet; ${fix}`;
    const reason = tags[EXCEPTION_TAGS.reason];
    const until = tags[EXCEPTION_TAGS.until];
    if (typeof reason !== "string" || typeof until !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(until))
        return `${opened} with no stated, dated exception (tags ${EXCEPTION_TAGS.reason} and ${EXCEPTION_TAGS.until}: YYYY-MM-DD, from platform:compute.publicEndpoint); ${fix}`;
    const today = config.asOf !== "" ? config.asOf : new Date().toISOString().slice(0, 10);
    const daysLeft = Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
    if (daysLeft < 0)
        return `${opened}: its exception ("${reason}") ended on ${until}; close it (remove platform:compute.publicEndpoint and run \`pulumi up\` from inside the VPC) or state a new date`;
    if (daysLeft > config.maxExceptionDays)
        return `${opened}: its exception ("${reason}") runs to ${until}, ${daysLeft} days from ${today}; an exception may last at most ${config.maxExceptionDays} days`;
    return undefined;
}

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

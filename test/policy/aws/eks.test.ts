// FSBP EKS controls on aws:eks/cluster:Cluster: a compliant cluster, the omitted property
// judged by the provider's default, and non-compliant values, each with its exact message.
import * as assert from "node:assert/strict";
import { compareMinor } from "../../../policy/aws/eks";
import { checkRule } from "../../support/policy";

const EKS = "aws:eks/cluster:Cluster";
const goodEks = {
    version: "1.35",
    vpcConfig: { subnetIds: ["a"], endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:1:key/x" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
};

describe("policy pack: EKS", () => {
    checkRule({
        policy: "eks-1-endpoint-not-public",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            [
                "omitted",
                { vpcConfig: { subnetIds: ["a"] } },
                "the API server endpoint is public: vpcConfig.endpointPublicAccess defaults to true; set it to false (and endpointPrivateAccess to true)",
            ],
            [
                "public",
                { vpcConfig: { subnetIds: ["a"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
                "the API server endpoint is public (vpcConfig.endpointPublicAccess is true, publicAccessCidrs 203.0.113.0/24); set it to false (and endpointPrivateAccess to true)",
            ],
        ],
    });
    checkRule({
        policy: "eks-1-endpoint-not-public",
        type: EKS,
        config: { allowRestrictedPublicAccess: true },
        rows: [
            ["restricted", { vpcConfig: { subnetIds: ["a"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }, null],
            [
                "open",
                { vpcConfig: { subnetIds: ["a"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
                "the API server endpoint is public (vpcConfig.endpointPublicAccess is true, publicAccessCidrs 0.0.0.0/0); set it to false (and endpointPrivateAccess to true)",
            ],
        ],
    });
    checkRule({
        policy: "eks-2-supported-version",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            ["oldest", { version: "1.34" }, null],
            ["omitted", {}, "version is not set: EKS picks its default at creation and never upgrades it; pin a version >= 1.34"],
            ["old", { version: "1.33" }, "Kubernetes 1.33 is older than 1.34, the oldest version in EKS standard support"],
        ],
    });
    checkRule({
        policy: "eks-2-supported-version",
        type: EKS,
        config: { oldestVersionSupported: "1.35" },
        rows: [
            ["current", { version: "1.35" }, null],
            ["behind", { version: "1.34" }, "Kubernetes 1.34 is older than 1.35, the oldest version in EKS standard support"],
        ],
    });
    checkRule({
        policy: "eks-3-secrets-encrypted",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            [
                "omitted",
                {},
                'encryptionConfig is not set: Kubernetes secrets are not envelope-encrypted with a KMS key; set encryptionConfig { resources: ["secrets"], provider.keyArn }',
            ],
            ["other", { encryptionConfig: { resources: [], provider: {} } }, 'encryptionConfig.resources does not include "secrets"'],
        ],
    });
    checkRule({
        policy: "eks-8-audit-logging",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            ["omitted", {}, 'enabledClusterLogTypes is not set (no control-plane logs) and does not include "audit"'],
            ["api-only", { enabledClusterLogTypes: ["api"] }, 'enabledClusterLogTypes [api] does not include "audit"'],
        ],
    });

    it("compares Kubernetes minor versions numerically, ignoring the patch", () => {
        assert.equal(Math.sign(compareMinor("1.10", "1.9")), 1);
        assert.equal(compareMinor("1.34.2", "1.34"), 0);
        assert.equal(Math.sign(compareMinor("1.33", "1.34")), -1);
        assert.equal(Math.sign(compareMinor("2.0", "1.35")), 1);
    });
});

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

const PUBLIC = "the API server endpoint is public";
const MAKE_PRIVATE = "set it to false (and endpointPrivateAccess to true)";
/** A cluster whose public endpoint admits `cidr`, and the finding on it. */
const openTo = (cidr: string) => ({ vpcConfig: { subnetIds: ["a"], endpointPublicAccess: true, publicAccessCidrs: [cidr] } });
const openedTo = (cidr: string) => `${PUBLIC} (vpcConfig.endpointPublicAccess is true, publicAccessCidrs ${cidr}); ${MAKE_PRIVATE}`;
const NO_ENCRYPTION =
    'encryptionConfig is not set: Kubernetes secrets are not envelope-encrypted with a KMS key; set encryptionConfig { resources: ["secrets"], provider.keyArn }';

describe("policy pack: EKS", () => {
    checkRule("eks-1-endpoint-not-public", EKS, [
        ["good", goodEks, null],
        ["omitted", { vpcConfig: { subnetIds: ["a"] } }, `${PUBLIC}: vpcConfig.endpointPublicAccess defaults to true; ${MAKE_PRIVATE}`],
        ["public", openTo("203.0.113.0/24"), openedTo("203.0.113.0/24")],
    ]);
    checkRule({ policy: "eks-1-endpoint-not-public", config: { allowRestrictedPublicAccess: true } }, EKS, [
        ["restricted", openTo("203.0.113.0/24"), null],
        ["open", openTo("0.0.0.0/0"), openedTo("0.0.0.0/0")],
    ]);
    checkRule("eks-2-supported-version", EKS, [
        ["good", goodEks, null],
        ["oldest", { version: "1.34" }, null],
        ["omitted", {}, "version is not set: EKS picks its default at creation and never upgrades it; pin a version >= 1.34"],
        ["old", { version: "1.33" }, "Kubernetes 1.33 is older than 1.34, the oldest version in EKS standard support"],
    ]);
    checkRule({ policy: "eks-2-supported-version", config: { oldestVersionSupported: "1.35" } }, EKS, [
        ["current", { version: "1.35" }, null],
        ["behind", { version: "1.34" }, "Kubernetes 1.34 is older than 1.35, the oldest version in EKS standard support"],
    ]);
    checkRule("eks-3-secrets-encrypted", EKS, [
        ["good", goodEks, null],
        ["omitted", {}, NO_ENCRYPTION],
        ["other", { encryptionConfig: { resources: [], provider: {} } }, 'encryptionConfig.resources does not include "secrets"'],
    ]);
    checkRule("eks-8-audit-logging", EKS, [
        ["good", goodEks, null],
        ["omitted", {}, 'enabledClusterLogTypes is not set (no control-plane logs) and does not include "audit"'],
        ["api-only", { enabledClusterLogTypes: ["api"] }, 'enabledClusterLogTypes [api] does not include "audit"'],
    ]);

    it("compares Kubernetes minor versions numerically, ignoring the patch", () => {
        assert.equal(Math.sign(compareMinor("1.10", "1.9")), 1);
        assert.equal(compareMinor("1.34.2", "1.34"), 0);
        assert.equal(Math.sign(compareMinor("1.33", "1.34")), -1);
        assert.equal(Math.sign(compareMinor("2.0", "1.35")), 1);
    });
});

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
/** A cluster open to `cidr` under a stated exception ending on `until`. */
const excepted = (cidr: string, until: string) => ({
    ...openTo(cidr),
    tags: { "platform/public-endpoint-reason": "first deploy", "platform/public-endpoint-until": until },
});
const NO_ENCRYPTION =
    'encryptionConfig is not set: Kubernetes secrets are not envelope-encrypted with a KMS key; set encryptionConfig { resources: ["secrets"], provider.keyArn }';

describe("policy pack: EKS", () => {
    checkRule("eks-1-endpoint-not-public", EKS, [
        ["good", goodEks, null],
        ["omitted", { vpcConfig: { subnetIds: ["a"] } }, `${PUBLIC}: vpcConfig.endpointPublicAccess defaults to true; ${MAKE_PRIVATE}`],
        [
            "restricted, no exception",
            openTo("203.0.113.0/24"),
            `${openedTo("203.0.113.0/24").split(";")[0]} with no stated, dated exception (tags platform/public-endpoint-reason and platform/public-endpoint-until: YYYY-MM-DD, from platform:compute.publicEndpoint); ${MAKE_PRIVATE}`,
        ],
    ]);
    checkRule({ policy: "eks-1-endpoint-not-public", config: { asOf: "2026-12-02" } }, EKS, [
        ["stated, dated", excepted("203.0.113.0/24", "2026-12-16"), null],
        ["its last day", excepted("203.0.113.0/24", "2026-12-02"), null],
        [
            "open to all",
            excepted("0.0.0.0/0", "2026-12-16"),
            `${openedTo("0.0.0.0/0").split(";")[0]}, open to the whole internet; ${MAKE_PRIVATE}`,
        ],
        [
            "past its date",
            excepted("203.0.113.0/24", "2026-12-01"),
            `${openedTo("203.0.113.0/24").split(";")[0]}: its exception ("first deploy") ended on 2026-12-01; close it (remove platform:compute.publicEndpoint and run \`pulumi up\` from inside the VPC) or state a new date`,
        ],
        [
            "too far ahead",
            excepted("203.0.113.0/24", "2027-06-01"),
            `${openedTo("203.0.113.0/24").split(";")[0]}: its exception ("first deploy") runs to 2027-06-01, 181 days from 2026-12-02; an exception may last at most 30 days`,
        ],
        [
            "no date",
            { vpcConfig: openTo("203.0.113.0/24").vpcConfig, tags: { "platform/public-endpoint-reason": "first deploy" } },
            `${openedTo("203.0.113.0/24").split(";")[0]} with no stated, dated exception (tags platform/public-endpoint-reason and platform/public-endpoint-until: YYYY-MM-DD, from platform:compute.publicEndpoint); ${MAKE_PRIVATE}`,
        ],
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

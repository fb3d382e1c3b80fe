// FSBP OpenSearch controls on domains: a compliant domain, the omitted block judged by the
// provider's default, and non-compliant values, each with its exact message.
import { checkRule } from "../../support/policy";

const DOMAIN = "aws:opensearch/domain:Domain";
const goodDomain = {
    encryptAtRest: { enabled: true },
    vpcOptions: { subnetIds: ["a", "b", "c"] },
    nodeToNodeEncryption: { enabled: true },
    logPublishingOptions: [
        { logType: "ES_APPLICATION_LOGS", cloudwatchLogGroupArn: "arn:1", enabled: true },
        { logType: "AUDIT_LOGS", cloudwatchLogGroupArn: "arn:2" },
    ],
    clusterConfig: { instanceCount: 3, zoneAwarenessEnabled: true, dedicatedMasterEnabled: true, dedicatedMasterCount: 3 },
    advancedSecurityOptions: { enabled: true },
    domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
};

describe("policy pack: OpenSearch", () => {
    checkRule({
        policy: "opensearch-1-encrypted-at-rest",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "encryptAtRest.enabled is not true (the default without the block is false)"],
            ["off", { encryptAtRest: { enabled: false } }, "encryptAtRest.enabled is not true (the default without the block is false)"],
        ],
    });
    checkRule({
        policy: "opensearch-2-in-vpc",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets"],
            [
                "no-subnets",
                { vpcOptions: { subnetIds: [] } },
                "vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-3-node-to-node-encryption",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "nodeToNodeEncryption.enabled is not true (the default without the block is false)"],
            [
                "off",
                { nodeToNodeEncryption: { enabled: false } },
                "nodeToNodeEncryption.enabled is not true (the default without the block is false)",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-4-error-logs",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "logPublishingOptions has no enabled ES_APPLICATION_LOGS entry: error logs are not sent to CloudWatch"],
            [
                "disabled",
                { logPublishingOptions: [{ logType: "ES_APPLICATION_LOGS", cloudwatchLogGroupArn: "arn:1", enabled: false }] },
                "logPublishingOptions has no enabled ES_APPLICATION_LOGS entry: error logs are not sent to CloudWatch",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-5-audit-logs",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "logPublishingOptions has no enabled AUDIT_LOGS entry: audit logs are not sent to CloudWatch"],
            [
                "disabled",
                { logPublishingOptions: [{ logType: "AUDIT_LOGS", cloudwatchLogGroupArn: "arn:2", enabled: false }] },
                "logPublishingOptions has no enabled AUDIT_LOGS entry: audit logs are not sent to CloudWatch",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-6-three-data-nodes",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            [
                "omitted",
                {},
                [
                    "clusterConfig.instanceCount is not set (default 1): run at least 3 data nodes",
                    "clusterConfig.zoneAwarenessEnabled is not true: data nodes are not spread over AZs",
                ],
            ],
            [
                "two",
                { clusterConfig: { instanceCount: 2, zoneAwarenessEnabled: true } },
                "clusterConfig.instanceCount is 2: run at least 3 data nodes",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-7-fine-grained-access",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "advancedSecurityOptions.enabled is not true: fine-grained access control is off"],
            [
                "off",
                { advancedSecurityOptions: { enabled: false } },
                "advancedSecurityOptions.enabled is not true: fine-grained access control is off",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-8-tls-policy",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            [
                "omitted",
                {},
                "domainEndpointOptions.tlsSecurityPolicy is not set (AWS's default still allows TLS 1.0); set one of Policy-Min-TLS-1-2-2019-07, Policy-Min-TLS-1-2-PFS-2023-10",
            ],
            [
                "tls10",
                { domainEndpointOptions: { tlsSecurityPolicy: "Policy-Min-TLS-1-0-2019-07" } },
                "domainEndpointOptions.tlsSecurityPolicy Policy-Min-TLS-1-0-2019-07 is not one of Policy-Min-TLS-1-2-2019-07, Policy-Min-TLS-1-2-PFS-2023-10",
            ],
            [
                "http",
                { domainEndpointOptions: { enforceHttps: false, tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" } },
                "domainEndpointOptions.enforceHttps is false: set it to true",
            ],
        ],
    });
    checkRule({
        policy: "opensearch-11-dedicated-masters",
        type: DOMAIN,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "clusterConfig.dedicatedMasterEnabled is not true: run three dedicated master nodes"],
            [
                "two",
                { clusterConfig: { dedicatedMasterEnabled: true, dedicatedMasterCount: 2 } },
                "clusterConfig.dedicatedMasterCount is 2: run at least 3",
            ],
        ],
    });
});

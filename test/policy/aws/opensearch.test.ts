// FSBP OpenSearch controls on domains: a compliant domain, the omitted block judged by the
// provider's default, and non-compliant values, each with its exact message.
import { type Row, checkRule } from "../../support/policy";

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

const BY_DEFAULT = "(the default without the block is false)";
/** The rows of a rule that needs `block.enabled: true`: compliant, and the block omitted or disabled, both flagged with `message`. */
const enabledRows = (block: string, message: string): Row[] => [
    ["good", goodDomain, null],
    ["omitted", {}, message],
    ["off", { [block]: { enabled: false } }, message],
];
const THREE_NODES = "run at least 3 data nodes";
const TLS_12 = "Policy-Min-TLS-1-2-PFS-2023-10";
const NO_VPC = "vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets";
const NO_LOGS = (type: string, logs: string) =>
    `logPublishingOptions has no enabled ${type} entry: ${logs} logs are not sent to CloudWatch`;
const disabledLog = (logType: string, arn: string) => ({ logPublishingOptions: [{ logType, cloudwatchLogGroupArn: arn, enabled: false }] });

describe("policy pack: OpenSearch", () => {
    checkRule("opensearch-1-encrypted-at-rest", DOMAIN, enabledRows("encryptAtRest", `encryptAtRest.enabled is not true ${BY_DEFAULT}`));
    checkRule(
        "opensearch-2-in-vpc",
        DOMAIN,
        [
            ["good", goodDomain, null],
            ["omitted", {}, NO_VPC],
            ["no-subnets", { vpcOptions: { subnetIds: [] } }, NO_VPC],
        ],
        ["vpcOptions.subnetIds"],
    );
    checkRule(
        "opensearch-3-node-to-node-encryption",
        DOMAIN,
        enabledRows("nodeToNodeEncryption", `nodeToNodeEncryption.enabled is not true ${BY_DEFAULT}`),
    );
    checkRule("opensearch-4-error-logs", DOMAIN, [
        ["good", goodDomain, null],
        ["omitted", {}, NO_LOGS("ES_APPLICATION_LOGS", "error")],
        ["disabled", disabledLog("ES_APPLICATION_LOGS", "arn:1"), NO_LOGS("ES_APPLICATION_LOGS", "error")],
    ]);
    checkRule("opensearch-5-audit-logs", DOMAIN, [
        ["good", goodDomain, null],
        ["omitted", {}, NO_LOGS("AUDIT_LOGS", "audit")],
        ["disabled", disabledLog("AUDIT_LOGS", "arn:2"), NO_LOGS("AUDIT_LOGS", "audit")],
    ]);
    checkRule("opensearch-6-three-data-nodes", DOMAIN, [
        ["good", goodDomain, null],
        [
            "omitted",
            {},
            [
                `clusterConfig.instanceCount is not set (default 1): ${THREE_NODES}`,
                "clusterConfig.zoneAwarenessEnabled is not true: data nodes are not spread over AZs",
            ],
        ],
        ["two", { clusterConfig: { instanceCount: 2, zoneAwarenessEnabled: true } }, `clusterConfig.instanceCount is 2: ${THREE_NODES}`],
    ]);
    checkRule(
        "opensearch-7-fine-grained-access",
        DOMAIN,
        enabledRows("advancedSecurityOptions", "advancedSecurityOptions.enabled is not true: fine-grained access control is off"),
    );
    checkRule("opensearch-8-tls-policy", DOMAIN, [
        ["good", goodDomain, null],
        ["omitted", {}, `domainEndpointOptions.tlsSecurityPolicy is not set (AWS's default still allows TLS 1.0); set one of ${TLS_12}`],
        [
            "tls10",
            { domainEndpointOptions: { tlsSecurityPolicy: "Policy-Min-TLS-1-0-2019-07" } },
            `domainEndpointOptions.tlsSecurityPolicy Policy-Min-TLS-1-0-2019-07 is not one of ${TLS_12}`,
        ],
        [
            "tls12-2019",
            { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" } },
            `domainEndpointOptions.tlsSecurityPolicy Policy-Min-TLS-1-2-2019-07 is not one of ${TLS_12}`,
        ],
        [
            "http",
            { domainEndpointOptions: { enforceHttps: false, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" } },
            "domainEndpointOptions.enforceHttps is false: set it to true",
        ],
    ]);
    checkRule("opensearch-11-dedicated-masters", DOMAIN, [
        ["good", goodDomain, null],
        ["omitted", {}, "clusterConfig.dedicatedMasterEnabled is not true: run three dedicated master nodes"],
        [
            "two",
            { clusterConfig: { dedicatedMasterEnabled: true, dedicatedMasterCount: 2 } },
            "clusterConfig.dedicatedMasterCount is 2: run at least 3",
        ],
    ]);
});

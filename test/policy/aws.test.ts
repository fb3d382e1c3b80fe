// Resource policies of the pack, one by one: a compliant fixture, non-compliant ones, and
// the property-omitted case judged by the provider's default. Each case asserts exactly
// which resources are flagged and with which message.
import * as assert from "node:assert/strict";
import { compareMinor } from "../../policy/aws/eks";
import type { Props } from "../../policy/common";
import { policies } from "../../policy/policies";
import { fixture, flagged } from "../support/policy";

/** [resource name, inputs, the one expected message or null when compliant] */
type Row = readonly [string, Props, string | null];

interface Table {
    readonly policy: string;
    readonly type: string;
    readonly rows: readonly Row[];
    readonly config?: Record<string, unknown>;
}

function check(t: Table): void {
    it(`${t.policy} on ${t.type.split(":")[2]}: flags ${
        t.rows
            .filter((r) => r[2] !== null)
            .map((r) => r[0])
            .join(", ") || "nothing"
    }`, async () => {
        const resources = t.rows.map(([name, props]) => fixture(t.type, name, props));
        const got = await flagged(t.policy, resources, t.config ? { [t.policy]: t.config } : {});
        assert.deepEqual(
            got,
            t.rows.filter((r) => r[2] !== null).map(([name, , message]) => `${name}: ${message}`),
        );
    });
}

const EKS = "aws:eks/cluster:Cluster";
const goodEks = {
    version: "1.35",
    vpcConfig: { subnetIds: ["a"], endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:1:key/x" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
};

describe("policy pack: metadata", () => {
    it("names every policy uniquely and tags each FSBP policy with its control and severity", () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        const eks1 = policies.find((p) => p.name === "eks-1-endpoint-not-public")!;
        assert.equal(eks1.description, "[EKS.1, high] EKS cluster endpoints should not be publicly accessible.");
        assert.equal(eks1.severity, "high");
        assert.equal(eks1.enforcementLevel, "mandatory");
        assert.deepEqual(eks1.tags, ["aws-fsbp", "EKS.1"]);
        assert.equal(eks1.url, "https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-1");
        assert.equal(policies.find((p) => p.name === "rds-6-enhanced-monitoring")!.enforcementLevel, "advisory");
        for (const p of policies) assert.match(p.description, /^\[([A-Za-z0-9]+\.\d+|platform), (low|medium|high|critical)\] /, p.name);
    });

    it("covers every FSBP control of the brief", () => {
        const controls = new Set(policies.flatMap((p) => p.tags ?? []).filter((t) => /\.\d+$/.test(t)));
        const wanted = [
            "EKS.1",
            "EKS.2",
            "EKS.3",
            "EKS.8",
            "RDS.2",
            "RDS.27",
            "RDS.6",
            "RDS.7",
            "RDS.11",
            "RDS.12",
            "RDS.13",
            "RDS.16",
            "RDS.23",
            "RDS.24",
            "RDS.37",
            "RDS.43",
            "ElastiCache.1",
            "ElastiCache.2",
            "ElastiCache.3",
            "ElastiCache.4",
            "ElastiCache.5",
            "ElastiCache.7",
            "Opensearch.1",
            "Opensearch.2",
            "Opensearch.3",
            "Opensearch.4",
            "Opensearch.5",
            "Opensearch.6",
            "Opensearch.7",
            "Opensearch.8",
            "Opensearch.11",
            "ELB.1",
            "ELB.4",
            "ELB.5",
            "ELB.6",
            "ELB.17",
            "EC2.2",
            "EC2.6",
            "EC2.8",
            "EC2.9",
            "EC2.18",
            "EC2.19",
            "KMS.4",
            "SecretsManager.1",
        ];
        assert.deepEqual(
            wanted.filter((c) => !controls.has(c)),
            [],
        );
    });

    it("declares a config schema with the defaults each configurable policy uses", () => {
        const eks2 = policies.find((p) => p.name === "eks-2-supported-version")!;
        assert.deepEqual(eks2.configSchema!.properties.oldestVersionSupported, {
            type: "string",
            default: "1.34",
            description: "Oldest Kubernetes minor version (major.minor) still in EKS standard support.",
        });
        const ec218 = policies.find((p) => p.name === "ec2-18-authorized-ports")!;
        assert.deepEqual(ec218.configSchema!.properties.authorizedTcpPorts.default, [80, 443]);
        assert.equal((ec218.configSchema!.properties.authorizedTcpPorts as { items: { type: string } }).items.type, "integer");
    });
});

describe("policy pack: EKS", () => {
    check({
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
    check({
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
    check({
        policy: "eks-2-supported-version",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            ["oldest", { version: "1.34" }, null],
            ["omitted", {}, "version is not set: EKS picks its default at creation and never upgrades it; pin a version >= 1.34"],
            ["old", { version: "1.33" }, "Kubernetes 1.33 is older than 1.34, the oldest version in EKS standard support"],
        ],
    });
    check({
        policy: "eks-2-supported-version",
        type: EKS,
        config: { oldestVersionSupported: "1.35" },
        rows: [
            ["current", { version: "1.35" }, null],
            ["behind", { version: "1.34" }, "Kubernetes 1.34 is older than 1.35, the oldest version in EKS standard support"],
        ],
    });
    check({
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
    check({
        policy: "eks-8-audit-logging",
        type: EKS,
        rows: [
            ["good", goodEks, null],
            ["omitted", {}, 'enabledClusterLogTypes is not set (no control-plane logs) and does not include "audit"'],
            ["api-only", { enabledClusterLogTypes: ["api"] }, 'enabledClusterLogTypes [api] does not include "audit"'],
        ],
    });

    it("compares Kubernetes minor versions numerically", () => {
        assert.ok(compareMinor("1.10", "1.9") > 0);
        assert.equal(compareMinor("1.34.2", "1.34"), 0);
        assert.ok(compareMinor("1.33", "1.34") < 0);
    });
});

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/instance:Instance";
const CI = "aws:rds/clusterInstance:ClusterInstance";
const goodCluster = {
    engine: "aurora-postgresql",
    storageEncrypted: true,
    deletionProtection: true,
    backupRetentionPeriod: 14,
    iamDatabaseAuthenticationEnabled: true,
    copyTagsToSnapshot: true,
    port: 6432,
    masterUsername: "platform_admin",
    enabledCloudwatchLogsExports: ["postgresql"],
};

describe("policy pack: RDS", () => {
    check({
        policy: "rds-2-not-public",
        type: CI,
        rows: [
            ["private", { publiclyAccessible: false }, null],
            ["omitted", {}, null],
            [
                "public",
                { publiclyAccessible: true },
                "publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false",
            ],
        ],
    });
    check({
        policy: "rds-2-not-public",
        type: INSTANCE,
        rows: [
            [
                "public",
                { publiclyAccessible: true },
                "publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false",
            ],
        ],
    });
    check({
        policy: "rds-3-27-storage-encrypted",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["serverless-v1", { engineMode: "serverless" }, null],
            [
                "omitted",
                { engine: "aurora-postgresql" },
                "storageEncrypted is not set and defaults to false: set it to true (with a customer-managed kmsKeyId)",
            ],
            ["off", { storageEncrypted: false }, "storageEncrypted is false: set it to true"],
        ],
    });
    check({
        policy: "rds-3-27-storage-encrypted",
        type: INSTANCE,
        rows: [
            ["omitted", {}, "storageEncrypted is not set and defaults to false: set it to true (with a customer-managed kmsKeyId)"],
            ["replica", { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:src", kmsKeyId: "arn:aws:kms:eu-central-1:1:key/x" }, null],
        ],
    });
    check({
        policy: "rds-6-enhanced-monitoring",
        type: CI,
        rows: [
            ["good", { monitoringInterval: 15 }, null],
            [
                "omitted",
                {},
                "monitoringInterval is not set (default 0): enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn",
            ],
            [
                "zero",
                { monitoringInterval: 0 },
                "monitoringInterval is 0: enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn",
            ],
        ],
    });
    check({
        policy: "rds-7-8-deletion-protection",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["omitted", {}, "deletionProtection is not set and defaults to false: set it to true"],
            ["off", { deletionProtection: false }, "deletionProtection is false: set it to true"],
        ],
    });
    check({
        policy: "rds-11-backups",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["week", { backupRetentionPeriod: 7 }, null],
            ["omitted", {}, "backupRetentionPeriod is not set (default 1) day(s); keep at least 7"],
            ["short", { backupRetentionPeriod: 3 }, "backupRetentionPeriod is 3 day(s); keep at least 7"],
        ],
    });
    check({
        policy: "rds-11-backups",
        type: INSTANCE,
        rows: [["omitted", {}, "backupRetentionPeriod is not set (default 0) day(s); keep at least 7"]],
    });
    check({
        policy: "rds-11-backups",
        type: CLUSTER,
        config: { backupRetentionMinimum: 14 },
        rows: [
            ["two-weeks", { backupRetentionPeriod: 14 }, null],
            ["week", { backupRetentionPeriod: 7 }, "backupRetentionPeriod is 7 day(s); keep at least 14"],
        ],
    });
    check({
        policy: "rds-12-iam-auth",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["omitted", {}, "iamDatabaseAuthenticationEnabled is not set (default false): set it to true"],
            ["off", { iamDatabaseAuthenticationEnabled: false }, "iamDatabaseAuthenticationEnabled is false: set it to true"],
        ],
    });
    check({
        policy: "rds-16-copy-tags-to-snapshots",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["omitted", {}, "copyTagsToSnapshot is not set (default false): set it to true"],
        ],
    });
    check({
        policy: "rds-23-non-default-port",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["unknown-engine", { engine: "neptune" }, null],
            [
                "omitted",
                { engine: "aurora-postgresql" },
                "port is not set: aurora-postgresql listens on its default port 5432; choose another",
            ],
            ["default", { engine: "aurora-mysql", port: 3306 }, "port 3306 is the default port of aurora-mysql; choose another"],
        ],
    });
    check({
        policy: "rds-24-25-custom-admin-username",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["secondary", { globalClusterIdentifier: "platform-global" }, null],
            ["postgres", { masterUsername: "postgres" }, 'the administrator username "postgres" is a default; choose a custom one'],
            ["admin", { masterUsername: "Admin" }, 'the administrator username "Admin" is a default; choose a custom one'],
        ],
    });
    check({
        policy: "rds-24-25-custom-admin-username",
        type: INSTANCE,
        rows: [["postgres", { username: "postgres" }, 'the administrator username "postgres" is a default; choose a custom one']],
    });
    check({
        policy: "rds-37-aurora-postgresql-logs",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["mysql", { engine: "aurora-mysql" }, null],
            [
                "omitted",
                { engine: "aurora-postgresql" },
                'enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)',
            ],
        ],
    });
    check({
        policy: "rds-43-proxy-tls",
        type: "aws:rds/proxy:Proxy",
        rows: [
            ["good", { requireTls: true }, null],
            ["omitted", {}, "requireTls is not set (default false): set it to true"],
            ["off", { requireTls: false }, "requireTls is false: set it to true"],
        ],
    });
});

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const goodRg = {
    engine: "valkey",
    snapshotRetentionLimit: 7,
    automaticFailoverEnabled: true,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    subnetGroupName: "use1-cache-subnets",
};

describe("policy pack: ElastiCache", () => {
    check({
        policy: "elasticache-1-automatic-backups",
        type: RG,
        rows: [
            ["good", goodRg, null],
            ["omitted", {}, "snapshotRetentionLimit is not set (default 0, backups off); keep at least 1 day(s)"],
            ["off", { snapshotRetentionLimit: 0 }, "snapshotRetentionLimit is 0; keep at least 1 day(s)"],
        ],
    });
    check({
        policy: "elasticache-1-automatic-backups",
        type: "aws:elasticache/cluster:Cluster",
        rows: [["memcached", { engine: "memcached" }, null]],
    });
    check({
        policy: "elasticache-2-auto-minor-upgrade",
        type: RG,
        rows: [
            ["omitted", {}, null],
            [
                "off",
                { autoMinorVersionUpgrade: false },
                "autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)",
            ],
        ],
    });
    check({
        policy: "elasticache-3-automatic-failover",
        type: RG,
        rows: [
            ["good", goodRg, null],
            ["omitted", {}, "automaticFailoverEnabled is not set (default false): set it to true (with at least one replica)"],
        ],
    });
    check({
        policy: "elasticache-4-encrypted-at-rest",
        type: RG,
        rows: [
            ["good", goodRg, null],
            ["valkey-default", { engine: "valkey" }, null],
            ["secondary", { globalReplicationGroupId: "ldgnf-platform" }, null],
            ["omitted", {}, "atRestEncryptionEnabled is not set and defaults to false for engine redis: set it to true"],
            ["off", { engine: "valkey", atRestEncryptionEnabled: false }, "atRestEncryptionEnabled is false: set it to true"],
        ],
    });
    check({
        policy: "elasticache-5-encrypted-in-transit",
        type: RG,
        rows: [
            ["good", goodRg, null],
            ["secondary", { globalReplicationGroupId: "ldgnf-platform" }, null],
            ["omitted", {}, "transitEncryptionEnabled is not set (default false): set it to true"],
            [
                "preferred",
                { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" },
                'transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"',
            ],
        ],
    });
    check({
        policy: "elasticache-7-not-default-subnet-group",
        type: RG,
        rows: [
            ["good", goodRg, null],
            [
                "omitted",
                {},
                "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
            ],
            ["default", { subnetGroupName: "default" }, 'subnetGroupName is "default": give the cluster a subnet group of its own'],
        ],
    });
});

const OS = "aws:opensearch/domain:Domain";
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
    check({
        policy: "opensearch-1-encrypted-at-rest",
        type: OS,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "encryptAtRest.enabled is not true (the default without the block is false)"],
        ],
    });
    check({
        policy: "opensearch-2-in-vpc",
        type: OS,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets"],
        ],
    });
    check({
        policy: "opensearch-3-node-to-node-encryption",
        type: OS,
        rows: [
            ["good", goodDomain, null],
            [
                "off",
                { nodeToNodeEncryption: { enabled: false } },
                "nodeToNodeEncryption.enabled is not true (the default without the block is false)",
            ],
        ],
    });
    check({
        policy: "opensearch-4-error-logs",
        type: OS,
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
    check({
        policy: "opensearch-5-audit-logs",
        type: OS,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "logPublishingOptions has no enabled AUDIT_LOGS entry: audit logs are not sent to CloudWatch"],
        ],
    });
    it("opensearch-6-three-data-nodes reports node count and zone awareness separately", async () => {
        const got = await flagged("opensearch-6-three-data-nodes", [
            fixture(OS, "good", goodDomain),
            fixture(OS, "omitted", {}),
            fixture(OS, "two", { clusterConfig: { instanceCount: 2, zoneAwarenessEnabled: true } }),
        ]);
        assert.deepEqual(got, [
            "omitted: clusterConfig.instanceCount is not set (default 1): run at least 3 data nodes",
            "omitted: clusterConfig.zoneAwarenessEnabled is not true: data nodes are not spread over AZs",
            "two: clusterConfig.instanceCount is 2: run at least 3 data nodes",
        ]);
    });
    check({
        policy: "opensearch-7-fine-grained-access",
        type: OS,
        rows: [
            ["good", goodDomain, null],
            ["omitted", {}, "advancedSecurityOptions.enabled is not true: fine-grained access control is off"],
        ],
    });
    check({
        policy: "opensearch-8-tls-policy",
        type: OS,
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
        ],
    });
    check({
        policy: "opensearch-11-dedicated-masters",
        type: OS,
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

const goodLb = { dropInvalidHeaderFields: true, accessLogs: { bucket: "logs", enabled: true }, enableDeletionProtection: true };
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };

describe("policy pack: ELB (aws:lb and aws:alb)", () => {
    for (const mod of ["lb", "alb"]) {
        const LB = `aws:${mod}/loadBalancer:LoadBalancer`;
        const L = `aws:${mod}/listener:Listener`;
        check({
            policy: "elb-1-http-redirects-to-https",
            type: L,
            rows: [
                ["redirects", { protocol: "HTTP", defaultActions: [redirect] }, null],
                [
                    "https",
                    { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: [{ type: "forward" }] },
                    null,
                ],
                [
                    "omitted",
                    { defaultActions: [{ type: "forward" }] },
                    "an HTTP listener (protocol defaults to HTTP) must only redirect to HTTPS: defaultActions [forward]",
                ],
            ],
        });
        check({
            policy: "elb-4-drop-invalid-headers",
            type: LB,
            rows: [
                ["good", goodLb, null],
                ["nlb", { loadBalancerType: "network" }, null],
                ["omitted", {}, "dropInvalidHeaderFields is not set (default false): set it to true"],
            ],
        });
        check({
            policy: "elb-5-access-logs",
            type: LB,
            rows: [
                ["good", goodLb, null],
                ["omitted", {}, "accessLogs is not set: access logging is off; send it to an S3 bucket"],
                ["disabled", { accessLogs: { bucket: "logs" } }, "accessLogs.enabled is not true"],
            ],
        });
        check({
            policy: "elb-6-deletion-protection",
            type: LB,
            rows: [
                ["good", goodLb, null],
                ["omitted", { loadBalancerType: "network" }, "enableDeletionProtection is not set (default false): set it to true"],
            ],
        });
        check({
            policy: "elb-17-tls-policy",
            type: L,
            rows: [
                ["good", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, null],
                ["http", { protocol: "HTTP", defaultActions: [redirect] }, null],
                [
                    "omitted",
                    { protocol: "HTTPS" },
                    "sslPolicy is not set: the default ELBSecurityPolicy-2016-08 allows TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06",
                ],
                [
                    "old",
                    { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-2016-08" },
                    "sslPolicy ELBSecurityPolicy-2016-08 is not a recommended policy; use ELBSecurityPolicy-TLS13-1-2-2021-06",
                ],
            ],
        });
    }
});

const SG = "aws:ec2/securityGroup:SecurityGroup";

describe("policy pack: EC2 and KMS", () => {
    check({
        policy: "ec2-2-default-sg-no-rules",
        type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        rows: [
            ["empty", { ingress: [], egress: [] }, null],
            ["omitted", {}, null],
            [
                "open",
                { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }], egress: [] },
                "the default security group declares 1 ingress and 0 egress rule(s); declare none",
            ],
        ],
    });
    check({
        policy: "ec2-8-imdsv2",
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        rows: [
            ["required", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }, null],
            ["disabled", { metadataOptions: { httpEndpoint: "disabled" } }, null],
            ["omitted", {}, 'metadataOptions.httpTokens is not set (default "optional"): set it to "required"'],
            ["optional", { metadataOptions: { httpTokens: "optional" } }, 'metadataOptions.httpTokens is "optional": set it to "required"'],
        ],
    });
    check({
        policy: "ec2-9-no-public-ip",
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        rows: [
            ["omitted", {}, null],
            ["private", { networkInterfaces: [{ associatePublicIpAddress: "false" }] }, null],
            [
                "public",
                { networkInterfaces: [{ associatePublicIpAddress: "true" }] },
                '1 network interface(s) set associatePublicIpAddress "true": instances stay private',
            ],
        ],
    });
    check({
        policy: "ec2-9-no-public-ip",
        type: "aws:ec2/instance:Instance",
        rows: [
            ["omitted", {}, null],
            [
                "public",
                { associatePublicIpAddress: true },
                "associatePublicIpAddress is true: instances stay private and egress through the NAT gateways",
            ],
        ],
    });
    check({
        policy: "ec2-18-authorized-ports",
        type: SG,
        rows: [
            ["https", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }, null],
            ["internal", { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.10.0.0/16"] }] }, null],
            ["omitted", {}, null],
            [
                "range",
                { ingress: [{ protocol: "tcp", fromPort: 8000, toPort: 8100, ipv6CidrBlocks: ["::/0"] }] },
                "ingress tcp/8000-8100 from ::/0 is open to the internet; only tcp ports 80, 443 may be",
            ],
            [
                "all",
                { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] },
                "ingress all traffic from 0.0.0.0/0 is open to the internet; only tcp ports 80, 443 may be",
            ],
        ],
    });
    check({
        policy: "ec2-18-authorized-ports",
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        rows: [
            ["https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" }, null],
            [
                "ssh",
                { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" },
                "ingress tcp/22 from 0.0.0.0/0 is open to the internet; only tcp ports 80, 443 may be",
            ],
        ],
    });
    check({
        policy: "ec2-19-high-risk-ports",
        type: SG,
        rows: [
            ["https", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }, null],
            ["ssh-internal", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }] }, null],
            [
                "db",
                { ingress: [{ protocol: "tcp", fromPort: 5400, toPort: 5500, cidrBlocks: ["0.0.0.0/0"] }] },
                "ingress tcp/5400-5500 from 0.0.0.0/0 exposes high-risk port(s) 5432, 5500",
            ],
        ],
    });
    check({
        policy: "ec2-19-high-risk-ports",
        type: "aws:ec2/securityGroupRule:SecurityGroupRule",
        rows: [
            [
                "egress",
                { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" },
                null,
            ],
            [
                "rdp",
                { type: "ingress", protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" },
                "ingress tcp/3389 from 0.0.0.0/0 exposes high-risk port(s) 3389",
            ],
        ],
    });
    check({
        policy: "kms-4-key-rotation",
        type: "aws:kms/key:Key",
        rows: [
            ["rotated", { enableKeyRotation: true }, null],
            ["signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }, null],
            ["omitted", {}, "enableKeyRotation is not set (default false): set it to true"],
        ],
    });
});

const CF_POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";

describe("policy pack: Cloudflare pools", () => {
    check({
        policy: "cloudflare-pool-has-monitor",
        type: CF_POOL,
        rows: [
            ["monitored", { monitor: "m-1", origins: [] }, null],
            ["group", { monitorGroup: "g-1", origins: [] }, null],
            [
                "omitted",
                { origins: [] },
                "the pool has no monitor (or monitorGroup): Cloudflare never marks it unhealthy and never fails over",
            ],
        ],
    });
});

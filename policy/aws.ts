/**
 * AWS Foundational Security Best Practices controls, judged on resource inputs before AWS
 * sees them. An omitted property is judged by the provider's documented default (the
 * @pulumi/aws v7 .d.ts), so "not set" fails exactly when AWS would create a non-compliant
 * resource. Each policy names its control id and severity in its description.
 *
 * `aws:lb/*` and `aws:alb/*` are distinct tokens in v7 and both are checked.
 */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { type Props, flag, isSet, list, obj, resourcePolicy } from "./common";

type In<A> = Unwrap<NonNullable<A>>;

const T = {
    eksCluster: "aws:eks/cluster:Cluster",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    rdsInstance: "aws:rds/instance:Instance",
    rdsProxy: "aws:rds/proxy:Proxy",
    cacheGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    cacheCluster: "aws:elasticache/cluster:Cluster",
    opensearch: "aws:opensearch/domain:Domain",
    loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listeners: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    sgIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    kmsKey: "aws:kms/key:Key",
} as const;

// ---- EKS ------------------------------------------------------------------------------------

const eks: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "eks-1-endpoint-not-public",
        control: "EKS.1",
        severity: "high",
        title: "EKS cluster endpoints should not be publicly accessible.",
        types: [T.eksCluster],
        config: { allowRestrictedPublicAccess: false },
        configDocs: {
            allowRestrictedPublicAccess:
                "Accept a public endpoint limited by vpcConfig.publicAccessCidrs (none of them 0.0.0.0/0), e.g. for a deploy runner outside the VPC.",
        },
        check: (p, _a, report, c) => {
            const vpc = obj((p as In<aws.eks.ClusterArgs>).vpcConfig) as In<aws.eks.ClusterArgs>["vpcConfig"];
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
        types: [T.eksCluster],
        // Standard support of 1.33 ended on 2026-07-29; 1.34's ends on 2026-12-02 (EKS release calendar).
        config: { oldestVersionSupported: "1.34" },
        configDocs: { oldestVersionSupported: "Oldest Kubernetes minor version (major.minor) still in EKS standard support." },
        check: (p, _a, report, c) => {
            const version = (p as In<aws.eks.ClusterArgs>).version;
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
        types: [T.eksCluster],
        check: (p, _a, report) => {
            const enc = (p as In<aws.eks.ClusterArgs>).encryptionConfig;
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
        types: [T.eksCluster],
        check: (p, _a, report) => {
            const logs = list<string>((p as In<aws.eks.ClusterArgs>).enabledClusterLogTypes);
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

// ---- RDS ------------------------------------------------------------------------------------

/** Engine default ports (RDS.23). */
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
    "aurora-postgresql": 5432,
    postgres: 5432,
    "aurora-mysql": 3306,
    aurora: 3306,
    mysql: 3306,
    mariadb: 3306,
    "sqlserver-ee": 1433,
    "sqlserver-se": 1433,
    "sqlserver-ex": 1433,
    "sqlserver-web": 1433,
    "oracle-ee": 1521,
    "oracle-se2": 1521,
};

const rds: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "rds-2-not-public",
        control: "RDS.2",
        severity: "critical",
        title: "RDS DB instances should prohibit public access (PubliclyAccessible false).",
        types: [T.rdsInstance, T.rdsClusterInstance],
        check: (p, _a, report) => {
            if (flag((p as In<aws.rds.ClusterInstanceArgs>).publiclyAccessible, false))
                report("publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false");
        },
    }),
    resourcePolicy({
        name: "rds-3-27-storage-encrypted",
        control: "RDS.27",
        severity: "medium",
        title: "RDS DB clusters (RDS.27) and instances (RDS.3) should be encrypted at rest.",
        types: [T.rdsCluster, T.rdsInstance],
        check: (p, a, report) => {
            const c = p as In<aws.rds.ClusterArgs>;
            // Aurora Serverless v1 clusters are encrypted by default; everything else is not.
            const byDefault = a.type === T.rdsCluster && c.engineMode === "serverless";
            // A cross-region replica takes kmsKeyId instead of storageEncrypted.
            if (a.type === T.rdsInstance && isSet((p as In<aws.rds.InstanceArgs>).replicateSourceDb) && isSet(p.kmsKeyId)) return;
            if (!flag(c.storageEncrypted, byDefault)) {
                report(
                    c.storageEncrypted === undefined
                        ? "storageEncrypted is not set and defaults to false: set it to true (with a customer-managed kmsKeyId)"
                        : "storageEncrypted is false: set it to true",
                );
            }
        },
    }),
    resourcePolicy({
        name: "rds-6-enhanced-monitoring",
        control: "RDS.6",
        severity: "low",
        title: "Enhanced monitoring should be configured for RDS DB instances.",
        types: [T.rdsInstance, T.rdsClusterInstance],
        check: (p, _a, report) => {
            const i = p as In<aws.rds.ClusterInstanceArgs>;
            const interval = i.monitoringInterval ?? 0;
            if (interval <= 0)
                report(
                    `monitoringInterval is ${i.monitoringInterval === undefined ? "not set (default 0)" : "0"}: enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn`,
                );
        },
    }),
    resourcePolicy({
        name: "rds-7-8-deletion-protection",
        control: "RDS.7",
        severity: "low",
        // Our databases are the product's data: losing one is never a low-severity event.
        enforcementLevel: "mandatory",
        title: "RDS clusters (RDS.7) and instances (RDS.8) should have deletion protection enabled.",
        types: [T.rdsCluster, T.rdsInstance],
        check: (p, _a, report) => {
            const c = p as In<aws.rds.ClusterArgs>;
            if (!flag(c.deletionProtection, false))
                report(
                    c.deletionProtection === undefined
                        ? "deletionProtection is not set and defaults to false: set it to true"
                        : "deletionProtection is false: set it to true",
                );
        },
    }),
    resourcePolicy({
        name: "rds-11-backups",
        control: "RDS.11",
        severity: "medium",
        title: "RDS clusters and instances should have automatic backups kept at least the minimum retention.",
        types: [T.rdsCluster, T.rdsInstance],
        config: { backupRetentionMinimum: 7 },
        configDocs: { backupRetentionMinimum: "Minimum backupRetentionPeriod in days." },
        check: (p, a, report, c) => {
            const retention = (p as In<aws.rds.ClusterArgs>).backupRetentionPeriod;
            // Provider defaults: 1 day for clusters, 0 (no backups) for instances.
            const effective = retention ?? (a.type === T.rdsCluster ? 1 : 0);
            if (effective < c.backupRetentionMinimum) {
                report(
                    `backupRetentionPeriod is ${retention === undefined ? `not set (default ${effective})` : retention} day(s); keep at least ${c.backupRetentionMinimum}`,
                );
            }
        },
    }),
    resourcePolicy({
        name: "rds-12-iam-auth",
        control: "RDS.12",
        severity: "medium",
        title: "IAM authentication should be configured for RDS clusters.",
        types: [T.rdsCluster],
        check: (p, _a, report) => {
            const c = p as In<aws.rds.ClusterArgs>;
            if (!flag(c.iamDatabaseAuthenticationEnabled, false))
                report(
                    `iamDatabaseAuthenticationEnabled is ${c.iamDatabaseAuthenticationEnabled === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
        },
    }),
    resourcePolicy({
        name: "rds-16-copy-tags-to-snapshots",
        control: "RDS.16",
        severity: "low",
        title: "RDS DB clusters should be configured to copy tags to snapshots.",
        types: [T.rdsCluster],
        check: (p, _a, report) => {
            const c = p as In<aws.rds.ClusterArgs>;
            if (!flag(c.copyTagsToSnapshot, false))
                report(`copyTagsToSnapshot is ${c.copyTagsToSnapshot === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
    resourcePolicy({
        name: "rds-23-non-default-port",
        control: "RDS.23",
        severity: "low",
        title: "RDS clusters and instances should not use the database engine's default port.",
        types: [T.rdsCluster, T.rdsInstance],
        check: (p, _a, report) => {
            const engine = String((p as In<aws.rds.ClusterArgs>).engine ?? "");
            const standard = DEFAULT_PORTS[engine];
            if (standard === undefined) return;
            const port = (p as In<aws.rds.ClusterArgs>).port;
            if (port === undefined) report(`port is not set: ${engine} listens on its default port ${standard}; choose another`);
            else if (port === standard) report(`port ${port} is the default port of ${engine}; choose another`);
        },
    }),
    resourcePolicy({
        name: "rds-24-25-custom-admin-username",
        control: "RDS.24",
        severity: "medium",
        title: "RDS clusters (RDS.24) and instances (RDS.25) should use a custom administrator username.",
        types: [T.rdsCluster, T.rdsInstance],
        config: { defaultUsernames: ["postgres", "admin"] },
        configDocs: { defaultUsernames: "Usernames that count as the engine's default administrator." },
        check: (p, a, report, c) => {
            const username =
                a.type === T.rdsCluster ? (p as In<aws.rds.ClusterArgs>).masterUsername : (p as In<aws.rds.InstanceArgs>).username;
            // Secondaries of a global database, restores and replicas inherit the username.
            if (!isSet(username)) return;
            if (c.defaultUsernames.includes(String(username).toLowerCase()))
                report(`the administrator username "${username}" is a default; choose a custom one`);
        },
    }),
    resourcePolicy({
        name: "rds-37-aurora-postgresql-logs",
        control: "RDS.37",
        severity: "medium",
        title: "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs.",
        types: [T.rdsCluster],
        check: (p, _a, report) => {
            const c = p as In<aws.rds.ClusterArgs>;
            if (String(c.engine) !== "aurora-postgresql") return;
            if (!list<string>(c.enabledCloudwatchLogsExports).includes("postgresql"))
                report('enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)');
        },
    }),
    resourcePolicy({
        name: "rds-43-proxy-tls",
        control: "RDS.43",
        severity: "medium",
        title: "RDS DB proxies should require TLS encryption for connections.",
        types: [T.rdsProxy],
        check: (p, _a, report) => {
            const x = p as In<aws.rds.ProxyArgs>;
            if (!flag(x.requireTls, false))
                report(`requireTls is ${x.requireTls === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
];

// ---- ElastiCache ----------------------------------------------------------------------------

/** A Global Datastore secondary inherits engine and encryption settings from the primary. */
function isCacheSecondary(p: Props): boolean {
    return isSet((p as In<aws.elasticache.ReplicationGroupArgs>).globalReplicationGroupId);
}

const elasticache: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "elasticache-1-automatic-backups",
        control: "ElastiCache.1",
        severity: "high",
        title: "ElastiCache (Redis OSS / Valkey) clusters should have automatic backups enabled.",
        types: [T.cacheGroup, T.cacheCluster],
        config: { snapshotRetentionMinimum: 1 },
        configDocs: { snapshotRetentionMinimum: "Minimum snapshotRetentionLimit in days." },
        check: (p, a, report, c) => {
            if (a.type === T.cacheCluster && String(p.engine ?? "") === "memcached") return;
            const limit = (p as In<aws.elasticache.ReplicationGroupArgs>).snapshotRetentionLimit;
            if ((limit ?? 0) < c.snapshotRetentionMinimum)
                report(
                    `snapshotRetentionLimit is ${limit === undefined ? "not set (default 0, backups off)" : limit}; keep at least ${c.snapshotRetentionMinimum} day(s)`,
                );
        },
    }),
    resourcePolicy({
        name: "elasticache-2-auto-minor-upgrade",
        control: "ElastiCache.2",
        severity: "high",
        title: "ElastiCache clusters should have automatic minor version upgrades enabled.",
        types: [T.cacheGroup, T.cacheCluster],
        check: (p, _a, report) => {
            if (!flag((p as In<aws.elasticache.ReplicationGroupArgs>).autoMinorVersionUpgrade, true))
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)");
        },
    }),
    resourcePolicy({
        name: "elasticache-3-automatic-failover",
        control: "ElastiCache.3",
        severity: "medium",
        title: "ElastiCache replication groups should have automatic failover enabled.",
        types: [T.cacheGroup],
        check: (p, _a, report) => {
            const g = p as In<aws.elasticache.ReplicationGroupArgs>;
            if (!flag(g.automaticFailoverEnabled, false))
                report(
                    `automaticFailoverEnabled is ${g.automaticFailoverEnabled === undefined ? "not set (default false)" : "false"}: set it to true (with at least one replica)`,
                );
        },
    }),
    resourcePolicy({
        name: "elasticache-4-encrypted-at-rest",
        control: "ElastiCache.4",
        severity: "medium",
        title: "ElastiCache replication groups should be encrypted at rest.",
        types: [T.cacheGroup],
        check: (p, _a, report) => {
            const g = p as In<aws.elasticache.ReplicationGroupArgs>;
            if (isCacheSecondary(p) && g.atRestEncryptionEnabled === undefined) return;
            // Provider default: true for valkey, false for redis (and redis is the default engine).
            const engine = String(g.engine ?? "redis");
            if (!flag(g.atRestEncryptionEnabled, engine === "valkey"))
                report(
                    g.atRestEncryptionEnabled === undefined
                        ? `atRestEncryptionEnabled is not set and defaults to false for engine ${engine}: set it to true`
                        : "atRestEncryptionEnabled is false: set it to true",
                );
        },
    }),
    resourcePolicy({
        name: "elasticache-5-encrypted-in-transit",
        control: "ElastiCache.5",
        severity: "medium",
        title: "ElastiCache replication groups should be encrypted in transit.",
        types: [T.cacheGroup],
        check: (p, _a, report) => {
            const g = p as In<aws.elasticache.ReplicationGroupArgs>;
            if (isCacheSecondary(p) && g.transitEncryptionEnabled === undefined) return;
            if (!flag(g.transitEncryptionEnabled, false))
                report(
                    `transitEncryptionEnabled is ${g.transitEncryptionEnabled === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
            else if (g.transitEncryptionMode === "preferred")
                report('transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"');
        },
    }),
    resourcePolicy({
        name: "elasticache-7-not-default-subnet-group",
        control: "ElastiCache.7",
        severity: "high",
        title: "ElastiCache clusters should not use the default subnet group.",
        types: [T.cacheGroup, T.cacheCluster],
        check: (p, _a, report) => {
            const name = (p as In<aws.elasticache.ReplicationGroupArgs>).subnetGroupName;
            if (!isSet(name))
                report(
                    "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
                );
            else if (name === "default") report('subnetGroupName is "default": give the cluster a subnet group of its own');
        },
    }),
];

// ---- OpenSearch -----------------------------------------------------------------------------

/** TLS policies Opensearch.8 accepts (TLS 1.2 minimum). */
const OPENSEARCH_TLS_POLICIES = ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"];

function domain(p: Props): In<aws.opensearch.DomainArgs> {
    return p as In<aws.opensearch.DomainArgs>;
}

function publishes(p: Props, logType: string): boolean {
    return list<Props>(domain(p).logPublishingOptions).some((o) => o.logType === logType && flag(o.enabled, true));
}

const opensearch: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "opensearch-1-encrypted-at-rest",
        control: "Opensearch.1",
        severity: "medium",
        title: "OpenSearch domains should have encryption at rest enabled.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (!domain(p).encryptAtRest?.enabled) report("encryptAtRest.enabled is not true (the default without the block is false)");
        },
    }),
    resourcePolicy({
        name: "opensearch-2-in-vpc",
        control: "Opensearch.2",
        severity: "high",
        title: "OpenSearch domains should not be publicly accessible (deployed in a VPC).",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (list(domain(p).vpcOptions?.subnetIds).length === 0)
                report("vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets");
        },
    }),
    resourcePolicy({
        name: "opensearch-3-node-to-node-encryption",
        control: "Opensearch.3",
        severity: "medium",
        title: "OpenSearch domains should encrypt data sent between nodes.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (!domain(p).nodeToNodeEncryption?.enabled)
                report("nodeToNodeEncryption.enabled is not true (the default without the block is false)");
        },
    }),
    resourcePolicy({
        name: "opensearch-4-error-logs",
        control: "Opensearch.4",
        severity: "medium",
        title: "OpenSearch domain error logging to CloudWatch Logs should be enabled.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (!publishes(p, "ES_APPLICATION_LOGS"))
                report("logPublishingOptions has no enabled ES_APPLICATION_LOGS entry: error logs are not sent to CloudWatch");
        },
    }),
    resourcePolicy({
        name: "opensearch-5-audit-logs",
        control: "Opensearch.5",
        severity: "medium",
        title: "OpenSearch domains should have audit logging enabled.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (!publishes(p, "AUDIT_LOGS"))
                report("logPublishingOptions has no enabled AUDIT_LOGS entry: audit logs are not sent to CloudWatch");
        },
    }),
    resourcePolicy({
        name: "opensearch-6-three-data-nodes",
        control: "Opensearch.6",
        severity: "medium",
        title: "OpenSearch domains should have at least three data nodes, zone aware.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            const cluster = domain(p).clusterConfig;
            const count = cluster?.instanceCount ?? 1;
            if (count < 3)
                report(
                    `clusterConfig.instanceCount is ${cluster?.instanceCount === undefined ? "not set (default 1)" : count}: run at least 3 data nodes`,
                );
            if (!flag(cluster?.zoneAwarenessEnabled, false))
                report("clusterConfig.zoneAwarenessEnabled is not true: data nodes are not spread over AZs");
        },
    }),
    resourcePolicy({
        name: "opensearch-7-fine-grained-access",
        control: "Opensearch.7",
        severity: "high",
        title: "OpenSearch domains should have fine-grained access control enabled.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            if (!domain(p).advancedSecurityOptions?.enabled)
                report("advancedSecurityOptions.enabled is not true: fine-grained access control is off");
        },
    }),
    resourcePolicy({
        name: "opensearch-8-tls-policy",
        control: "Opensearch.8",
        severity: "medium",
        title: "Connections to OpenSearch domains should use HTTPS with a TLS 1.2 security policy.",
        types: [T.opensearch],
        config: { tlsPolicies: OPENSEARCH_TLS_POLICIES },
        configDocs: { tlsPolicies: "Accepted domainEndpointOptions.tlsSecurityPolicy values." },
        check: (p, _a, report, c) => {
            const endpoint = domain(p).domainEndpointOptions;
            if (endpoint?.enforceHttps === false) report("domainEndpointOptions.enforceHttps is false: set it to true");
            const policy = endpoint?.tlsSecurityPolicy;
            if (!isSet(policy))
                report(
                    `domainEndpointOptions.tlsSecurityPolicy is not set (AWS's default still allows TLS 1.0); set one of ${c.tlsPolicies.join(", ")}`,
                );
            else if (!c.tlsPolicies.includes(String(policy)))
                report(`domainEndpointOptions.tlsSecurityPolicy ${policy} is not one of ${c.tlsPolicies.join(", ")}`);
        },
    }),
    resourcePolicy({
        name: "opensearch-11-dedicated-masters",
        control: "Opensearch.11",
        severity: "medium",
        title: "OpenSearch domains should have at least three dedicated primary (master) nodes.",
        types: [T.opensearch],
        check: (p, _a, report) => {
            const cluster = domain(p).clusterConfig;
            if (!flag(cluster?.dedicatedMasterEnabled, false))
                report("clusterConfig.dedicatedMasterEnabled is not true: run three dedicated master nodes");
            else if ((cluster?.dedicatedMasterCount ?? 0) < 3)
                report(`clusterConfig.dedicatedMasterCount is ${cluster?.dedicatedMasterCount ?? "not set"}: run at least 3`);
        },
    }),
];

// ---- Elastic Load Balancing -----------------------------------------------------------------

/** ELB.17's recommended policies: TLS 1.3 (+1.2) policies of 2021-06, their FIPS and post-quantum variants. */
const ELB_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];

function lbType(p: Props): string {
    return String((p as In<aws.lb.LoadBalancerArgs>).loadBalancerType ?? "application");
}

const elb: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "elb-1-http-redirects-to-https",
        control: "ELB.1",
        severity: "medium",
        title: "Application Load Balancer HTTP listeners should redirect every request to HTTPS.",
        types: T.listeners,
        check: (p, _a, report) => {
            const l = p as In<aws.lb.ListenerArgs>;
            // An ALB listener's protocol defaults to HTTP.
            const protocol = String(l.protocol ?? (isSet(l.certificateArn) ? "HTTPS" : "HTTP"));
            if (protocol !== "HTTP") return;
            const actions = list<In<aws.types.input.lb.ListenerDefaultAction>>(l.defaultActions);
            const redirects = actions.length > 0 && actions.every((x) => x.type === "redirect" && x.redirect?.protocol === "HTTPS");
            if (!redirects)
                report(
                    `an HTTP listener${l.protocol === undefined ? " (protocol defaults to HTTP)" : ""} must only redirect to HTTPS: defaultActions [${actions.map((x) => x.type).join(", ")}]`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-4-drop-invalid-headers",
        control: "ELB.4",
        severity: "medium",
        title: "Application Load Balancers should drop invalid HTTP headers.",
        types: T.loadBalancers,
        check: (p, _a, report) => {
            if (lbType(p) !== "application") return;
            const lb = p as In<aws.lb.LoadBalancerArgs>;
            if (!flag(lb.dropInvalidHeaderFields, false))
                report(
                    `dropInvalidHeaderFields is ${lb.dropInvalidHeaderFields === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-5-access-logs",
        control: "ELB.5",
        severity: "medium",
        title: "Application Load Balancers should have access logging enabled.",
        types: T.loadBalancers,
        check: (p, _a, report) => {
            if (lbType(p) !== "application") return;
            const logs = (p as In<aws.lb.LoadBalancerArgs>).accessLogs;
            if (!logs || !flag(logs.enabled, false))
                report(logs ? "accessLogs.enabled is not true" : "accessLogs is not set: access logging is off; send it to an S3 bucket");
        },
    }),
    resourcePolicy({
        name: "elb-6-deletion-protection",
        control: "ELB.6",
        severity: "medium",
        title: "Application, Gateway and Network Load Balancers should have deletion protection enabled.",
        types: T.loadBalancers,
        check: (p, _a, report) => {
            const lb = p as In<aws.lb.LoadBalancerArgs>;
            if (!flag(lb.enableDeletionProtection, false))
                report(
                    `enableDeletionProtection is ${lb.enableDeletionProtection === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-17-tls-policy",
        control: "ELB.17",
        severity: "medium",
        title: "HTTPS and TLS listeners should use a recommended security policy.",
        types: T.listeners,
        config: { sslPolicies: ELB_TLS_POLICIES },
        configDocs: { sslPolicies: "Accepted sslPolicy values." },
        check: (p, _a, report, c) => {
            const l = p as In<aws.lb.ListenerArgs>;
            const protocol = String(l.protocol ?? (isSet(l.certificateArn) ? "HTTPS" : "HTTP"));
            if (protocol !== "HTTPS" && protocol !== "TLS") return;
            if (!isSet(l.sslPolicy))
                report(
                    "sslPolicy is not set: the default ELBSecurityPolicy-2016-08 allows TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06",
                );
            else if (!c.sslPolicies.includes(String(l.sslPolicy)))
                report(`sslPolicy ${l.sslPolicy} is not a recommended policy; use ELBSecurityPolicy-TLS13-1-2-2021-06`);
        },
    }),
];

// ---- EC2 ------------------------------------------------------------------------------------

/** EC2.19's high-risk ports. */
const HIGH_RISK_PORTS = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

/** One ingress permission, whatever resource declared it. */
interface Ingress {
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    readonly cidrs: readonly string[];
}

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

/** The ingress rules a resource declares, normalised; "-1" (all traffic) covers every port. */
function ingressOf(type: string, p: Props): Ingress[] {
    const norm = (protocol: unknown, from: unknown, to: unknown, cidrs: unknown[]): Ingress => {
        const proto = String(protocol ?? "-1").toLowerCase();
        const all = proto === "-1" || proto === "all";
        return {
            protocol: all ? "-1" : proto,
            from: all ? 0 : Number(from ?? 0),
            to: all ? 65535 : Number(to ?? from ?? 65535),
            cidrs: cidrs.filter((c): c is string => typeof c === "string"),
        };
    };
    if (type === T.securityGroup || type === T.defaultSg) {
        return list<In<aws.types.input.ec2.SecurityGroupIngress>>((p as In<aws.ec2.SecurityGroupArgs>).ingress).map((r) =>
            norm(r.protocol, r.fromPort, r.toPort, [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)]),
        );
    }
    if (type === T.sgRule) {
        const r = p as In<aws.ec2.SecurityGroupRuleArgs>;
        return r.type === "ingress" ? [norm(r.protocol, r.fromPort, r.toPort, [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)])] : [];
    }
    if (type === T.sgIngressRule) {
        const r = p as In<aws.vpc.SecurityGroupIngressRuleArgs>;
        return [norm(r.ipProtocol, r.fromPort, r.toPort, [r.cidrIpv4, r.cidrIpv6])];
    }
    return [];
}

function describeRule(r: Ingress): string {
    const ports = r.protocol === "-1" ? "all traffic" : r.from === r.to ? `${r.protocol}/${r.from}` : `${r.protocol}/${r.from}-${r.to}`;
    return `${ports} from ${r.cidrs.filter((c) => OPEN.has(c)).join(", ")}`;
}

const SG_TYPES = [T.securityGroup, T.sgRule, T.sgIngressRule];

const ec2: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "ec2-2-default-sg-no-rules",
        control: "EC2.2",
        severity: "high",
        title: "VPC default security groups should not allow inbound or outbound traffic.",
        types: [T.defaultSg],
        check: (p, _a, report) => {
            // Adopting the default group with no ingress/egress blocks removes every rule.
            const g = p as In<aws.ec2.DefaultSecurityGroupArgs>;
            const rules = list(g.ingress).length + list(g.egress).length;
            if (rules > 0)
                report(
                    `the default security group declares ${list(g.ingress).length} ingress and ${list(g.egress).length} egress rule(s); declare none`,
                );
        },
    }),
    resourcePolicy({
        name: "ec2-8-imdsv2",
        control: "EC2.8",
        severity: "high",
        title: "EC2 instances and launch templates should require IMDSv2.",
        types: [T.launchTemplate, T.instance],
        check: (p, _a, report) => {
            const m = (p as In<aws.ec2.LaunchTemplateArgs>).metadataOptions;
            if (m?.httpEndpoint === "disabled") return;
            if (m?.httpTokens !== "required")
                report(
                    `metadataOptions.httpTokens is ${m?.httpTokens === undefined ? 'not set (default "optional")' : `"${m.httpTokens}"`}: set it to "required"`,
                );
        },
    }),
    resourcePolicy({
        name: "ec2-9-no-public-ip",
        control: "EC2.9",
        severity: "high",
        title: "EC2 instances and launch templates should not assign public IPv4 addresses.",
        types: [T.launchTemplate, T.instance],
        check: (p, a, report) => {
            if (a.type === T.instance) {
                if ((p as In<aws.ec2.InstanceArgs>).associatePublicIpAddress === true)
                    report("associatePublicIpAddress is true: instances stay private and egress through the NAT gateways");
                return;
            }
            // Omitted means the subnet decides; our subnets never map public IPs on launch.
            const nics = list<In<aws.types.input.ec2.LaunchTemplateNetworkInterface>>(
                (p as In<aws.ec2.LaunchTemplateArgs>).networkInterfaces,
            );
            const publicNics = nics.filter((n) => String(n.associatePublicIpAddress) === "true");
            if (publicNics.length > 0)
                report(`${publicNics.length} network interface(s) set associatePublicIpAddress "true": instances stay private`);
        },
    }),
    resourcePolicy({
        name: "ec2-18-authorized-ports",
        control: "EC2.18",
        severity: "high",
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports.",
        types: SG_TYPES,
        config: { authorizedTcpPorts: [80, 443] },
        configDocs: { authorizedTcpPorts: "TCP ports that may be open to 0.0.0.0/0 or ::/0." },
        check: (p, a, report, c) => {
            for (const r of ingressOf(a.type, p)) {
                if (!r.cidrs.some((x) => OPEN.has(x))) continue;
                const authorized = r.protocol === "tcp" && r.from === r.to && c.authorizedTcpPorts.includes(r.from);
                if (!authorized)
                    report(`ingress ${describeRule(r)} is open to the internet; only tcp ports ${c.authorizedTcpPorts.join(", ")} may be`);
            }
        },
    }),
    resourcePolicy({
        name: "ec2-19-high-risk-ports",
        control: "EC2.19",
        severity: "critical",
        title: "Security groups should not allow unrestricted access to high-risk ports.",
        types: SG_TYPES,
        config: { highRiskPorts: HIGH_RISK_PORTS },
        configDocs: { highRiskPorts: "Ports never open to 0.0.0.0/0 or ::/0." },
        check: (p, a, report, c) => {
            for (const r of ingressOf(a.type, p)) {
                if (!r.cidrs.some((x) => OPEN.has(x))) continue;
                const exposed = c.highRiskPorts.filter((port) => port >= r.from && port <= r.to);
                if (exposed.length > 0) report(`ingress ${describeRule(r)} exposes high-risk port(s) ${exposed.join(", ")}`);
            }
        },
    }),
];

// ---- KMS ------------------------------------------------------------------------------------

const kms: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "kms-4-key-rotation",
        control: "KMS.4",
        severity: "medium",
        title: "AWS KMS symmetric keys should have rotation enabled.",
        types: [T.kmsKey],
        check: (p, _a, report) => {
            const k = p as In<aws.kms.KeyArgs>;
            // Rotation exists only for symmetric encryption keys.
            if (
                (k.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT" ||
                (k.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT"
            )
                return;
            if (!flag(k.enableKeyRotation, false))
                report(`enableKeyRotation is ${k.enableKeyRotation === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
];

export const awsPolicies: ResourceValidationPolicy[] = [...eks, ...rds, ...elasticache, ...opensearch, ...elb, ...ec2, ...kms];

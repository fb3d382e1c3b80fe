/** FSBP RDS controls on clusters, instances and proxies (inputs). */
import type * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, isSet, list, refersTo, resourcePolicy, stackPolicy, whenKnown } from "../common";
import { AWS_TYPES } from "./types";

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

export const rdsPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "rds-2-not-public",
        control: "RDS.2",
        severity: "critical",
        title: "RDS DB instances should prohibit public access (PubliclyAccessible false).",
        types: [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance],
        check: (p, _a, report) => {
            if (flag((p as Inputs<aws.rds.ClusterInstanceArgs>).publiclyAccessible, false))
                report("publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false");
        },
    }),
    resourcePolicy({
        name: "rds-3-27-storage-encrypted",
        control: "RDS.27",
        severity: "medium",
        title: "RDS DB clusters (RDS.27) and instances (RDS.3) should be encrypted at rest.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (p, a, report) => {
            const c = p as Inputs<aws.rds.ClusterArgs>;
            // Aurora Serverless v1 clusters are encrypted by default; everything else is not.
            const byDefault = a.type === AWS_TYPES.rdsCluster && c.engineMode === "serverless";
            // A cross-region replica takes kmsKeyId instead of storageEncrypted.
            if (a.type === AWS_TYPES.rdsInstance && isSet((p as Inputs<aws.rds.InstanceArgs>).replicateSourceDb) && isSet(p.kmsKeyId))
                return;
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
        types: [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance],
        check: (p, _a, report) => {
            const i = p as Inputs<aws.rds.ClusterInstanceArgs>;
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
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (p, _a, report) => {
            const c = p as Inputs<aws.rds.ClusterArgs>;
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
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        config: { backupRetentionMinimum: 7 },
        configDocs: { backupRetentionMinimum: "Minimum backupRetentionPeriod in days." },
        check: (p, a, report, c) => {
            const retention = (p as Inputs<aws.rds.ClusterArgs>).backupRetentionPeriod;
            // Provider defaults: 1 day for clusters, 0 (no backups) for instances.
            const effective = retention ?? (a.type === AWS_TYPES.rdsCluster ? 1 : 0);
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
        types: [AWS_TYPES.rdsCluster],
        check: (p, _a, report) => {
            const c = p as Inputs<aws.rds.ClusterArgs>;
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
        types: [AWS_TYPES.rdsCluster],
        check: (p, _a, report) => {
            const c = p as Inputs<aws.rds.ClusterArgs>;
            if (!flag(c.copyTagsToSnapshot, false))
                report(`copyTagsToSnapshot is ${c.copyTagsToSnapshot === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
    resourcePolicy({
        name: "rds-23-non-default-port",
        control: "RDS.23",
        severity: "low",
        title: "RDS clusters and instances should not use the database engine's default port.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (p, _a, report) => {
            const engine = String((p as Inputs<aws.rds.ClusterArgs>).engine ?? "");
            const standard = DEFAULT_PORTS[engine];
            if (standard === undefined) return;
            const port = (p as Inputs<aws.rds.ClusterArgs>).port;
            if (port === undefined) report(`port is not set: ${engine} listens on its default port ${standard}; choose another`);
            else if (port === standard) report(`port ${port} is the default port of ${engine}; choose another`);
        },
    }),
    resourcePolicy({
        name: "rds-24-25-custom-admin-username",
        control: "RDS.24",
        severity: "medium",
        title: "RDS clusters (RDS.24) and instances (RDS.25) should use a custom administrator username.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        config: { defaultUsernames: ["postgres", "admin"] },
        configDocs: { defaultUsernames: "Usernames that count as the engine's default administrator." },
        check: (p, a, report, c) => {
            const username =
                a.type === AWS_TYPES.rdsCluster
                    ? (p as Inputs<aws.rds.ClusterArgs>).masterUsername
                    : (p as Inputs<aws.rds.InstanceArgs>).username;
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
        types: [AWS_TYPES.rdsCluster],
        check: (p, _a, report) => {
            const c = p as Inputs<aws.rds.ClusterArgs>;
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
        types: [AWS_TYPES.rdsProxy],
        check: (p, _a, report) => {
            const x = p as Inputs<aws.rds.ProxyArgs>;
            if (!flag(x.requireTls, false))
                report(`requireTls is ${x.requireTls === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
];

/** A member of a global database: names one (an id that may be unknown until the global cluster exists). */
export function isGlobalMember(r: PolicyResource): boolean {
    return whenKnown(() => isSet(r.props.globalClusterIdentifier), true);
}

const RDS_UPGRADABLE: readonly string[] = [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance, AWS_TYPES.rdsCluster];

export const rdsStackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        name: "rds-13-auto-minor-upgrade",
        control: "RDS.13",
        severity: "high",
        title: "RDS automatic minor version upgrades should be enabled (except members of an Aurora global database, which upgrade together through the global cluster).",
        check: (resources, _a, report) => {
            // A stack policy because the exception needs the instance's cluster: AWS must not
            // upgrade one member of a global database alone, so members turn it off on purpose.
            const globalMembers = resources.filter((r) => r.type === AWS_TYPES.rdsCluster && isGlobalMember(r));
            for (const r of resources) {
                if (!RDS_UPGRADABLE.includes(r.type) || r.props.autoMinorVersionUpgrade !== false) continue;
                if (globalMembers.includes(r)) continue;
                if (r.type === AWS_TYPES.rdsClusterInstance && globalMembers.some((c) => refersTo(r, c, ["clusterIdentifier"]))) continue;
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; the default is true)", r.urn);
            }
        },
    }),
];

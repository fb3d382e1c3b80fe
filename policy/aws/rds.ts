/**
 * FSBP RDS controls: clusters, instances and proxies judged on their inputs; RDS.13 (minor
 * upgrades, except members of the global database) needs the instance's cluster and is a
 * stack policy.
 */
import type * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, isSet, list, mustBeTrue, refersTo, resourcePolicy, stackPolicy, whenKnown } from "../common";
import { AWS_TYPES } from "./types";

type RdsCluster = Inputs<aws.rds.ClusterArgs>;
type RdsInstance = Inputs<aws.rds.InstanceArgs>;
type RdsClusterInstance = Inputs<aws.rds.ClusterInstanceArgs>;

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
        check: (props, _args, report) => {
            if (flag((props as RdsClusterInstance).publiclyAccessible, false))
                report("publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false");
        },
    }),
    resourcePolicy({
        name: "rds-3-27-storage-encrypted",
        control: "RDS.27",
        severity: "medium",
        title: "RDS DB clusters (RDS.27) and instances (RDS.3) should be encrypted at rest.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (props, args, report) => {
            const database = props as RdsCluster;
            // Aurora Serverless v1 clusters are encrypted by default; everything else is not.
            const byDefault = args.type === AWS_TYPES.rdsCluster && database.engineMode === "serverless";
            // A cross-region replica takes kmsKeyId instead of storageEncrypted.
            if (args.type === AWS_TYPES.rdsInstance && isSet((props as RdsInstance).replicateSourceDb) && isSet(props.kmsKeyId)) return;
            if (!flag(database.storageEncrypted, byDefault)) {
                report(
                    database.storageEncrypted === undefined
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
        check: (props, _args, report) => {
            const instance = props as RdsClusterInstance;
            const interval = instance.monitoringInterval ?? 0;
            if (interval <= 0)
                report(
                    `monitoringInterval is ${instance.monitoringInterval === undefined ? "not set (default 0)" : "0"}: enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn`,
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
        check: (props, _args, report) => {
            const database = props as RdsCluster;
            if (!flag(database.deletionProtection, false))
                report(
                    database.deletionProtection === undefined
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
        check: (props, args, report, config) => {
            const retention = (props as RdsCluster).backupRetentionPeriod;
            // Provider defaults: 1 day for clusters, 0 (no backups) for instances.
            const effective = retention ?? (args.type === AWS_TYPES.rdsCluster ? 1 : 0);
            if (effective < config.backupRetentionMinimum) {
                report(
                    `backupRetentionPeriod is ${retention === undefined ? `not set (default ${effective})` : retention} day(s); keep at least ${config.backupRetentionMinimum}`,
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
        check: mustBeTrue<RdsCluster>("iamDatabaseAuthenticationEnabled"),
    }),
    resourcePolicy({
        name: "rds-16-copy-tags-to-snapshots",
        control: "RDS.16",
        severity: "low",
        title: "RDS DB clusters should be configured to copy tags to snapshots.",
        types: [AWS_TYPES.rdsCluster],
        check: mustBeTrue<RdsCluster>("copyTagsToSnapshot"),
    }),
    resourcePolicy({
        name: "rds-23-non-default-port",
        control: "RDS.23",
        severity: "low",
        title: "RDS clusters and instances should not use the database engine's default port.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (props, _args, report) => {
            const engine = String((props as RdsCluster).engine ?? "");
            const standard = DEFAULT_PORTS[engine];
            if (standard === undefined) return;
            const port = (props as RdsCluster).port;
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
        check: (props, args, report, config) => {
            const username = args.type === AWS_TYPES.rdsCluster ? (props as RdsCluster).masterUsername : (props as RdsInstance).username;
            // Secondaries of a global database, restores and replicas inherit the username.
            if (!isSet(username)) return;
            if (config.defaultUsernames.includes(String(username).toLowerCase()))
                report(`the administrator username "${username}" is a default; choose a custom one`);
        },
    }),
    resourcePolicy({
        name: "rds-37-aurora-postgresql-logs",
        control: "RDS.37",
        severity: "medium",
        title: "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs.",
        types: [AWS_TYPES.rdsCluster],
        check: (props, _args, report) => {
            const cluster = props as RdsCluster;
            if (String(cluster.engine) !== "aurora-postgresql") return;
            if (!list<string>(cluster.enabledCloudwatchLogsExports).includes("postgresql"))
                report('enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)');
        },
    }),
    resourcePolicy({
        name: "rds-43-proxy-tls",
        control: "RDS.43",
        severity: "medium",
        title: "RDS DB proxies should require TLS encryption for connections.",
        types: [AWS_TYPES.rdsProxy],
        check: mustBeTrue<Inputs<aws.rds.ProxyArgs>>("requireTls"),
    }),
];

/** A member of a global database: names one (an id that may be unknown until the global cluster exists). */
export function isGlobalMember(resource: PolicyResource): boolean {
    return whenKnown(() => isSet(resource.props.globalClusterIdentifier), true);
}

const RDS_UPGRADABLE: readonly string[] = [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance, AWS_TYPES.rdsCluster];

export const rdsStackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        name: "rds-13-auto-minor-upgrade",
        control: "RDS.13",
        severity: "high",
        title: "RDS automatic minor version upgrades should be enabled (except members of an Aurora global database, which upgrade together through the global cluster).",
        check: (resources, _args, report) => {
            // A stack policy because the exception needs the instance's cluster: AWS must not
            // upgrade one member of a global database alone, so members turn it off on purpose.
            const globalMembers = resources.filter((resource) => resource.type === AWS_TYPES.rdsCluster && isGlobalMember(resource));
            for (const resource of resources) {
                if (!RDS_UPGRADABLE.includes(resource.type) || resource.props.autoMinorVersionUpgrade !== false) continue;
                if (globalMembers.includes(resource)) continue;
                const ofMember =
                    resource.type === AWS_TYPES.rdsClusterInstance &&
                    globalMembers.some((member) => refersTo(resource, member, ["clusterIdentifier"]));
                if (ofMember) continue;
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; the default is true)", resource.urn);
            }
        },
    }),
];

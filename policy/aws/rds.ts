/**
 * FSBP RDS controls: clusters, instances and proxies judged on their inputs; RDS.13 (minor
 * upgrades, except members of the global database) needs the instance's cluster and is a
 * stack policy.
 */
import type * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, fsbp, isSet, list, mustBeTrue, refersTo, resourcePolicy, stackPolicy, whenKnown } from "../common";
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
        ...fsbp("rds-2-not-public", "RDS.2", "critical"),
        title: "RDS DB instances should prohibit public access (PubliclyAccessible false).",
        types: [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance],
        check: (instance: RdsClusterInstance, _args, report) => {
            if (flag(instance.publiclyAccessible, false))
                report("publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false");
        },
    }),
    resourcePolicy({
        ...fsbp("rds-3-27-storage-encrypted", "RDS.27", "medium", "RDS.3"),
        title: "RDS DB clusters (RDS.27) and instances (RDS.3) should be encrypted at rest.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (database: RdsCluster, args, report) => {
            // Aurora Serverless v1 clusters are encrypted by default; everything else is not.
            const byDefault = args.type === AWS_TYPES.rdsCluster && database.engineMode === "serverless";
            // A cross-region replica takes kmsKeyId instead of storageEncrypted.
            if (args.type === AWS_TYPES.rdsInstance && isSet((database as RdsInstance).replicateSourceDb) && isSet(database.kmsKeyId))
                return;
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
        ...fsbp("rds-6-enhanced-monitoring", "RDS.6", "low"),
        title: "Enhanced monitoring should be configured for RDS DB instances.",
        types: [AWS_TYPES.rdsInstance, AWS_TYPES.rdsClusterInstance],
        check: (instance: RdsClusterInstance, _args, report) => {
            const interval = instance.monitoringInterval ?? 0;
            if (interval <= 0)
                report(
                    `monitoringInterval is ${instance.monitoringInterval === undefined ? "not set (default 0)" : "0"}: enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn`,
                );
        },
    }),
    resourcePolicy({
        // RDS.7 (clusters) is Medium and RDS.8 (instances) Low on the control pages (rds-controls.html#rds-7, #rds-8).
        ...fsbp("rds-7-8-deletion-protection", "RDS.7", "medium", "RDS.8"),
        // Our databases are the product's data: losing one blocks the update, whatever the severity.
        enforcementLevel: "mandatory",
        title: "RDS clusters (RDS.7) and instances (RDS.8) should have deletion protection enabled.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (database: RdsCluster, _args, report) => {
            if (!flag(database.deletionProtection, false))
                report(
                    database.deletionProtection === undefined
                        ? "deletionProtection is not set and defaults to false: set it to true"
                        : "deletionProtection is false: set it to true",
                );
        },
    }),
    resourcePolicy({
        ...fsbp("rds-11-backups", "RDS.11", "medium"),
        // rds-controls.html#rds-11: resource type AWS::RDS::DBInstance only; Aurora keeps backups per cluster, so the pack asks it there too.
        title: "RDS instances (RDS.11) and, beyond Security Hub's control, DB clusters should keep automatic backups at least the minimum retention.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        config: { backupRetentionMinimum: 7 },
        configDocs: { backupRetentionMinimum: "Minimum backupRetentionPeriod in days." },
        check: (database: RdsCluster, args, report, config) => {
            const retention = database.backupRetentionPeriod;
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
        ...fsbp("rds-12-iam-auth", "RDS.12", "medium"),
        title: "IAM authentication should be configured for RDS clusters.",
        types: [AWS_TYPES.rdsCluster],
        check: mustBeTrue<RdsCluster>("iamDatabaseAuthenticationEnabled"),
    }),
    resourcePolicy({
        ...fsbp("rds-16-copy-tags-to-snapshots", "RDS.16", "low"),
        title: "RDS DB clusters should be configured to copy tags to snapshots.",
        types: [AWS_TYPES.rdsCluster],
        check: mustBeTrue<RdsCluster>("copyTagsToSnapshot"),
    }),
    resourcePolicy({
        ...fsbp("rds-23-non-default-port", "RDS.23", "low"),
        title: "RDS clusters and instances should not use the database engine's default port.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        check: (database: RdsCluster, _args, report) => {
            const engine = String(database.engine ?? "");
            const standard = DEFAULT_PORTS[engine];
            if (standard === undefined) return;
            const port = database.port;
            if (port === undefined) report(`port is not set: ${engine} listens on its default port ${standard}; choose another`);
            else if (port === standard) report(`port ${port} is the default port of ${engine}; choose another`);
        },
    }),
    resourcePolicy({
        ...fsbp("rds-24-25-custom-admin-username", "RDS.24", "medium", "RDS.25"),
        title: "RDS clusters (RDS.24) and instances (RDS.25) should use a custom administrator username.",
        types: [AWS_TYPES.rdsCluster, AWS_TYPES.rdsInstance],
        config: { defaultUsernames: ["postgres", "admin"] },
        configDocs: { defaultUsernames: "Usernames that count as the engine's default administrator." },
        check: (props, args, report, config) => {
            const username = args.type === AWS_TYPES.rdsCluster ? (props as RdsCluster).masterUsername : (props as RdsInstance).username;
            // Secondaries of a global database, restores and replicas inherit the username.
            if (!isSet(username)) return;
            if (config.defaultUsernames.includes(String(username).toLowerCase()))
                // The username may be a secret: the message names the defaults, never the input.
                report(`the administrator username is one of the defaults (${config.defaultUsernames.join(", ")}); choose a custom one`);
        },
    }),
    resourcePolicy({
        ...fsbp("rds-37-aurora-postgresql-logs", "RDS.37", "medium"),
        title: "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs.",
        types: [AWS_TYPES.rdsCluster],
        check: (cluster: RdsCluster, _args, report) => {
            if (String(cluster.engine) !== "aurora-postgresql") return;
            if (!list<string>(cluster.enabledCloudwatchLogsExports).includes("postgresql"))
                report('enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)');
        },
    }),
    resourcePolicy({
        ...fsbp("rds-43-proxy-tls", "RDS.43", "medium"),
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

/**
 * How RDS.13 differs from Security Hub, in its words (rds-controls.html#rds-13): the control
 * "evaluates each Amazon RDS DB instance independently" and "doesn't account for configurations
 * that don't support automatic minor version upgrades", among them "Aurora clusters in an Aurora
 * global database".
 */
const RDS_13_DIFFERENCE =
    "Security Hub evaluates RDS.13 per DB instance and does not exempt Aurora global database members: it reports their instances with autoMinorVersionUpgrade false as FAILED; this pack exempts them (upgrades go through the global cluster), so suppress those findings in Security Hub";

export const rdsStackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        ...fsbp("rds-13-auto-minor-upgrade", "RDS.13", "high"),
        title: `RDS automatic minor version upgrades should be enabled, except on members of an Aurora global database and their instances, which upgrade together through the global cluster. ${RDS_13_DIFFERENCE}.`,
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

// FSBP RDS controls: the resource rules on clusters, instances and proxies, each with a
// compliant, an omitted and a non-compliant case and its exact message; RDS.13 on a small
// resource graph (members of a global database may turn minor upgrades off).
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../../plan/runtime";
import { checkRule, fixture, flagged, unsetOrFalse } from "../../support/policy";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const INSTANCES = [CLUSTER_INSTANCE, INSTANCE];
const DATABASES = [CLUSTER, INSTANCE];
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

const PUBLIC = "publiclyAccessible is true: the instance gets a public DNS name and IP; set it to false";
const UNENCRYPTED = "storageEncrypted is not set and defaults to false: set it to true (with a customer-managed kmsKeyId)";
const NO_MONITORING = "enhanced monitoring is off; set 1, 5, 10, 15, 30 or 60 with a monitoringRoleArn";
const NO_LOGS = 'enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)';
const DEFAULT_USERNAME = (_name: string) => "the administrator username is one of the defaults (postgres, admin); choose a custom one";

describe("policy pack: RDS", () => {
    checkRule("rds-2-not-public", INSTANCES, [
        ["private", { publiclyAccessible: false }, null],
        ["omitted", {}, null],
        ["public", { publiclyAccessible: true }, PUBLIC],
    ]);
    checkRule("rds-3-27-storage-encrypted", CLUSTER, [
        ["good", goodCluster, null],
        ["serverless-v1", { engineMode: "serverless" }, null],
        ["omitted", { engine: "aurora-postgresql" }, UNENCRYPTED],
        ["off", { storageEncrypted: false }, "storageEncrypted is false: set it to true"],
    ]);
    checkRule("rds-3-27-storage-encrypted", INSTANCE, [
        ["encrypted", { storageEncrypted: true }, null],
        ["omitted", {}, UNENCRYPTED],
        ["replica", { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:src", kmsKeyId: "arn:aws:kms:eu-central-1:1:key/x" }, null],
    ]);
    checkRule("rds-6-enhanced-monitoring", INSTANCES, [
        ["good", { monitoringInterval: 15 }, null],
        ["omitted", {}, `monitoringInterval is not set (default 0): ${NO_MONITORING}`],
        ["zero", { monitoringInterval: 0 }, `monitoringInterval is 0: ${NO_MONITORING}`],
    ]);
    checkRule("rds-7-8-deletion-protection", DATABASES, [
        ["good", { deletionProtection: true }, null],
        ["omitted", {}, "deletionProtection is not set and defaults to false: set it to true"],
        ["off", { deletionProtection: false }, "deletionProtection is false: set it to true"],
    ]);
    checkRule("rds-11-backups", CLUSTER, [
        ["good", goodCluster, null],
        ["week", { backupRetentionPeriod: 7 }, null],
        ["omitted", {}, "backupRetentionPeriod is not set (default 1) day(s); keep at least 7"],
        ["short", { backupRetentionPeriod: 3 }, "backupRetentionPeriod is 3 day(s); keep at least 7"],
    ]);
    checkRule("rds-11-backups", INSTANCE, [
        ["week", { backupRetentionPeriod: 7 }, null],
        ["omitted", {}, "backupRetentionPeriod is not set (default 0) day(s); keep at least 7"],
    ]);
    checkRule({ policy: "rds-11-backups", config: { backupRetentionMinimum: 14 } }, CLUSTER, [
        ["two-weeks", { backupRetentionPeriod: 14 }, null],
        ["week", { backupRetentionPeriod: 7 }, "backupRetentionPeriod is 7 day(s); keep at least 14"],
    ]);
    checkRule("rds-12-iam-auth", CLUSTER, [["good", goodCluster, null], ...unsetOrFalse("iamDatabaseAuthenticationEnabled")]);
    checkRule("rds-16-copy-tags-to-snapshots", CLUSTER, [["good", goodCluster, null], ...unsetOrFalse("copyTagsToSnapshot")]);
    checkRule("rds-23-non-default-port", DATABASES, [
        ["good", goodCluster, null],
        ["unknown-engine", { engine: "neptune" }, null],
        ["omitted", { engine: "aurora-postgresql" }, "port is not set: aurora-postgresql listens on its default port 5432; choose another"],
        ["default", { engine: "aurora-mysql", port: 3306 }, "port 3306 is the default port of aurora-mysql; choose another"],
    ]);
    checkRule("rds-24-25-custom-admin-username", CLUSTER, [
        ["good", goodCluster, null],
        // Secondaries of a global database inherit the username.
        ["omitted", { globalClusterIdentifier: "platform-global" }, null],
        ["postgres", { masterUsername: "postgres" }, DEFAULT_USERNAME("postgres")],
        ["admin", { masterUsername: "Admin" }, DEFAULT_USERNAME("Admin")],
    ]);
    checkRule("rds-24-25-custom-admin-username", INSTANCE, [
        ["custom", { username: "platform_admin" }, null],
        ["omitted", { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:src" }, null],
        ["postgres", { username: "postgres" }, DEFAULT_USERNAME("postgres")],
    ]);
    checkRule("rds-37-aurora-postgresql-logs", CLUSTER, [
        ["good", goodCluster, null],
        ["mysql", { engine: "aurora-mysql" }, null],
        ["omitted", { engine: "aurora-postgresql" }, NO_LOGS],
        ["upgrade-only", { engine: "aurora-postgresql", enabledCloudwatchLogsExports: ["upgrade"] }, NO_LOGS],
    ]);
    checkRule("rds-43-proxy-tls", "aws:rds/proxy:Proxy", [["good", { requireTls: true }, null], ...unsetOrFalse("requireTls")]);

    it("rds-13-auto-minor-upgrade: off is allowed only on members of a global database and their instances", async () => {
        const instanceOf = (cluster: RecordedResource) =>
            fixture(CLUSTER_INSTANCE, `${cluster.name}-1`, { autoMinorVersionUpgrade: false }, { dependsOn: [cluster] });
        const member = fixture(CLUSTER, "member", { globalClusterIdentifier: "platform", autoMinorVersionUpgrade: false });
        const loner = fixture(CLUSTER, "loner", {});
        const omitted = fixture(INSTANCE, "omitted", {});
        const off = fixture(INSTANCE, "off", { autoMinorVersionUpgrade: false });
        assert.deepEqual(await flagged("rds-13-auto-minor-upgrade", [member, instanceOf(member), loner, instanceOf(loner), omitted, off]), [
            "loner-1: autoMinorVersionUpgrade is false: set it to true (or omit it; the default is true)",
            "off: autoMinorVersionUpgrade is false: set it to true (or omit it; the default is true)",
        ]);
    });
});

// FSBP RDS controls: the resource rules on clusters, instances and proxies, each with a
// compliant, an omitted and a non-compliant case and its exact message; RDS.13 on a small
// resource graph (members of a global database may turn minor upgrades off).
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../../plan/runtime";
import { checkRule, fixture, flagged } from "../../support/policy";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
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
    checkRule({
        policy: "rds-2-not-public",
        type: [CLUSTER_INSTANCE, INSTANCE],
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
    checkRule({
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
    checkRule({
        policy: "rds-3-27-storage-encrypted",
        type: INSTANCE,
        rows: [
            ["encrypted", { storageEncrypted: true }, null],
            ["omitted", {}, "storageEncrypted is not set and defaults to false: set it to true (with a customer-managed kmsKeyId)"],
            ["replica", { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:src", kmsKeyId: "arn:aws:kms:eu-central-1:1:key/x" }, null],
        ],
    });
    checkRule({
        policy: "rds-6-enhanced-monitoring",
        type: [CLUSTER_INSTANCE, INSTANCE],
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
    checkRule({
        policy: "rds-7-8-deletion-protection",
        type: [CLUSTER, INSTANCE],
        rows: [
            ["good", { deletionProtection: true }, null],
            ["omitted", {}, "deletionProtection is not set and defaults to false: set it to true"],
            ["off", { deletionProtection: false }, "deletionProtection is false: set it to true"],
        ],
    });
    checkRule({
        policy: "rds-11-backups",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["week", { backupRetentionPeriod: 7 }, null],
            ["omitted", {}, "backupRetentionPeriod is not set (default 1) day(s); keep at least 7"],
            ["short", { backupRetentionPeriod: 3 }, "backupRetentionPeriod is 3 day(s); keep at least 7"],
        ],
    });
    checkRule({
        policy: "rds-11-backups",
        type: INSTANCE,
        rows: [
            ["week", { backupRetentionPeriod: 7 }, null],
            ["omitted", {}, "backupRetentionPeriod is not set (default 0) day(s); keep at least 7"],
        ],
    });
    checkRule({
        policy: "rds-11-backups",
        type: CLUSTER,
        config: { backupRetentionMinimum: 14 },
        rows: [
            ["two-weeks", { backupRetentionPeriod: 14 }, null],
            ["week", { backupRetentionPeriod: 7 }, "backupRetentionPeriod is 7 day(s); keep at least 14"],
        ],
    });
    checkRule({
        policy: "rds-12-iam-auth",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["omitted", {}, "iamDatabaseAuthenticationEnabled is not set (default false): set it to true"],
            ["off", { iamDatabaseAuthenticationEnabled: false }, "iamDatabaseAuthenticationEnabled is false: set it to true"],
        ],
    });
    checkRule({
        policy: "rds-16-copy-tags-to-snapshots",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            ["omitted", {}, "copyTagsToSnapshot is not set (default false): set it to true"],
            ["off", { copyTagsToSnapshot: false }, "copyTagsToSnapshot is false: set it to true"],
        ],
    });
    checkRule({
        policy: "rds-23-non-default-port",
        type: [CLUSTER, INSTANCE],
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
    checkRule({
        policy: "rds-24-25-custom-admin-username",
        type: CLUSTER,
        rows: [
            ["good", goodCluster, null],
            // Secondaries of a global database inherit the username.
            ["omitted", { globalClusterIdentifier: "platform-global" }, null],
            ["postgres", { masterUsername: "postgres" }, 'the administrator username "postgres" is a default; choose a custom one'],
            ["admin", { masterUsername: "Admin" }, 'the administrator username "Admin" is a default; choose a custom one'],
        ],
    });
    checkRule({
        policy: "rds-24-25-custom-admin-username",
        type: INSTANCE,
        rows: [
            ["custom", { username: "platform_admin" }, null],
            ["omitted", { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:src" }, null],
            ["postgres", { username: "postgres" }, 'the administrator username "postgres" is a default; choose a custom one'],
        ],
    });
    checkRule({
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
            [
                "upgrade-only",
                { engine: "aurora-postgresql", enabledCloudwatchLogsExports: ["upgrade"] },
                'enabledCloudwatchLogsExports does not include "postgresql" (no logs are exported when omitted)',
            ],
        ],
    });
    checkRule({
        policy: "rds-43-proxy-tls",
        type: "aws:rds/proxy:Proxy",
        rows: [
            ["good", { requireTls: true }, null],
            ["omitted", {}, "requireTls is not set (default false): set it to true"],
            ["off", { requireTls: false }, "requireTls is false: set it to true"],
        ],
    });

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

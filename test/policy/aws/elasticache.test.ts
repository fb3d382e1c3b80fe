// FSBP ElastiCache controls on replication groups (and clusters where the control covers
// them): a compliant group, the omitted property judged by the provider's default, and
// non-compliant values, each with its exact message.
import { checkRule } from "../../support/policy";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const CLUSTER = "aws:elasticache/cluster:Cluster";
const goodGroup = {
    engine: "valkey",
    snapshotRetentionLimit: 7,
    automaticFailoverEnabled: true,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    subnetGroupName: "use1-cache-subnets",
};

describe("policy pack: ElastiCache", () => {
    checkRule({
        policy: "elasticache-1-automatic-backups",
        type: [GROUP, CLUSTER],
        rows: [
            ["good", goodGroup, null],
            ["omitted", {}, "snapshotRetentionLimit is not set (default 0, backups off); keep at least 1 day(s)"],
            ["off", { snapshotRetentionLimit: 0 }, "snapshotRetentionLimit is 0; keep at least 1 day(s)"],
        ],
    });
    checkRule({ policy: "elasticache-1-automatic-backups", type: CLUSTER, rows: [["memcached", { engine: "memcached" }, null]] });
    checkRule({
        policy: "elasticache-2-auto-minor-upgrade",
        type: [GROUP, CLUSTER],
        rows: [
            ["on", { autoMinorVersionUpgrade: true }, null],
            ["omitted", {}, null],
            [
                "off",
                { autoMinorVersionUpgrade: false },
                "autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)",
            ],
        ],
    });
    checkRule({
        policy: "elasticache-3-automatic-failover",
        type: GROUP,
        rows: [
            ["good", goodGroup, null],
            ["omitted", {}, "automaticFailoverEnabled is not set (default false): set it to true (with at least one replica)"],
            ["off", { automaticFailoverEnabled: false }, "automaticFailoverEnabled is false: set it to true (with at least one replica)"],
        ],
    });
    checkRule({
        policy: "elasticache-4-encrypted-at-rest",
        type: GROUP,
        rows: [
            ["good", goodGroup, null],
            ["valkey-default", { engine: "valkey" }, null],
            ["secondary", { globalReplicationGroupId: "ldgnf-platform" }, null],
            ["omitted", {}, "atRestEncryptionEnabled is not set and defaults to false for engine redis: set it to true"],
            ["off", { engine: "valkey", atRestEncryptionEnabled: false }, "atRestEncryptionEnabled is false: set it to true"],
        ],
    });
    checkRule({
        policy: "elasticache-5-encrypted-in-transit",
        type: GROUP,
        rows: [
            ["good", goodGroup, null],
            ["secondary", { globalReplicationGroupId: "ldgnf-platform" }, null],
            ["omitted", {}, "transitEncryptionEnabled is not set (default false): set it to true"],
            [
                "off",
                { transitEncryptionEnabled: false, transitEncryptionMode: "preferred" },
                "transitEncryptionEnabled is false: set it to true",
            ],
            [
                "preferred",
                { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" },
                'transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"',
            ],
        ],
    });
    checkRule({
        policy: "elasticache-7-not-default-subnet-group",
        type: [GROUP, CLUSTER],
        rows: [
            ["good", goodGroup, null],
            [
                "omitted",
                {},
                "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
            ],
            ["default", { subnetGroupName: "default" }, 'subnetGroupName is "default": give the cluster a subnet group of its own'],
        ],
    });
});

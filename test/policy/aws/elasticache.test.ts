// FSBP ElastiCache controls on replication groups (and clusters where the control covers
// them): a compliant group, the omitted property judged by the provider's default, and
// non-compliant values, each with its exact message.
import { checkRule, unsetOrFalse } from "../../support/policy";

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

const BOTH = [GROUP, CLUSTER];
const SECONDARY = { globalReplicationGroupId: "ldgnf-platform" };
const MINOR_UPGRADES = "set it to true (or omit it; AWS defaults it to true)";
const PREFERRED_MODE = { transitEncryptionMode: "preferred" };
const PREFERRED = 'transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"';
const NO_SUBNET_GROUP =
    "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own";

describe("policy pack: ElastiCache", () => {
    checkRule("elasticache-1-automatic-backups", BOTH, [
        ["good", goodGroup, null],
        ["omitted", {}, "snapshotRetentionLimit is not set (default 0, backups off); keep at least 1 day(s)"],
        ["off", { snapshotRetentionLimit: 0 }, "snapshotRetentionLimit is 0; keep at least 1 day(s)"],
    ]);
    checkRule("elasticache-1-automatic-backups", CLUSTER, [["memcached", { engine: "memcached" }, null]]);
    checkRule("elasticache-2-auto-minor-upgrade", BOTH, [
        ["on", { autoMinorVersionUpgrade: true }, null],
        ["omitted", {}, null],
        ["off", { autoMinorVersionUpgrade: false }, `autoMinorVersionUpgrade is false: ${MINOR_UPGRADES}`],
    ]);
    checkRule("elasticache-3-automatic-failover", GROUP, [
        ["good", goodGroup, null],
        ...unsetOrFalse("automaticFailoverEnabled", "set it to true (with at least one replica)"),
    ]);
    checkRule("elasticache-4-encrypted-at-rest", GROUP, [
        ["good", goodGroup, null],
        ["valkey-default", { engine: "valkey" }, null],
        ["secondary", SECONDARY, null],
        ["omitted", {}, "atRestEncryptionEnabled is not set and defaults to false for engine redis: set it to true"],
        ["off", { engine: "valkey", atRestEncryptionEnabled: false }, "atRestEncryptionEnabled is false: set it to true"],
    ]);
    checkRule("elasticache-5-encrypted-in-transit", GROUP, [
        ["good", goodGroup, null],
        ["secondary", SECONDARY, null],
        ["omitted", {}, "transitEncryptionEnabled is not set (default false): set it to true"],
        ["off", { transitEncryptionEnabled: false, ...PREFERRED_MODE }, "transitEncryptionEnabled is false: set it to true"],
        ["preferred", { transitEncryptionEnabled: true, ...PREFERRED_MODE }, PREFERRED],
    ]);
    checkRule(
        "elasticache-7-not-default-subnet-group",
        BOTH,
        [
            ["good", goodGroup, null],
            ["omitted", {}, NO_SUBNET_GROUP],
            ["default", { subnetGroupName: "default" }, 'subnetGroupName is "default": give the cluster a subnet group of its own'],
        ],
        ["subnetGroupName"],
    );
});

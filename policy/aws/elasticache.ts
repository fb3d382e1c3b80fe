/** FSBP ElastiCache controls, on the inputs of replication groups and clusters. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type ResourceRule, flag, fsbp, isSet, mustBeTrue, requireTrue, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

type ReplicationGroup = Inputs<aws.elasticache.ReplicationGroupArgs>;

/**
 * `check`, except on a Global Datastore secondary that leaves `key` unset: it inherits the
 * primary's engine and encryption settings.
 */
function unlessInherited(
    key: keyof ReplicationGroup,
    check: ResourceRule<object, ReplicationGroup>["check"],
): ResourceRule<object, ReplicationGroup>["check"] {
    return (group, ...rest) => {
        if (!(isSet(group.globalReplicationGroupId) && group[key] === undefined)) check(group, ...rest);
    };
}

export const elasticachePolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("elasticache-1-automatic-backups", "ElastiCache.1", "high"),
        title: "ElastiCache (Redis OSS / Valkey) clusters should have automatic backups enabled.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        config: { snapshotRetentionMinimum: 1 },
        configDocs: { snapshotRetentionMinimum: "Minimum snapshotRetentionLimit in days." },
        check: (group: ReplicationGroup, args, report, config) => {
            if (args.type === AWS_TYPES.cacheCluster && String(group.engine ?? "") === "memcached") return;
            const limit = group.snapshotRetentionLimit;
            if ((limit ?? 0) < config.snapshotRetentionMinimum)
                report(
                    `snapshotRetentionLimit is ${limit === undefined ? "not set (default 0, backups off)" : limit}; keep at least ${config.snapshotRetentionMinimum} day(s)`,
                );
        },
    }),
    resourcePolicy({
        ...fsbp("elasticache-2-auto-minor-upgrade", "ElastiCache.2", "high"),
        title: "ElastiCache clusters should have automatic minor version upgrades enabled.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        check: (group: ReplicationGroup, _args, report) => {
            if (!flag(group.autoMinorVersionUpgrade, true))
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)");
        },
    }),
    resourcePolicy({
        ...fsbp("elasticache-3-automatic-failover", "ElastiCache.3", "medium"),
        title: "ElastiCache replication groups should have automatic failover enabled.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: mustBeTrue<ReplicationGroup>("automaticFailoverEnabled", "set it to true (with at least one replica)"),
    }),
    resourcePolicy({
        ...fsbp("elasticache-4-encrypted-at-rest", "ElastiCache.4", "medium"),
        title: "ElastiCache replication groups should be encrypted at rest.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: unlessInherited("atRestEncryptionEnabled", (group, _args, report) => {
            // Provider default: true for valkey, false for redis (and redis is the default engine).
            const engine = String(group.engine ?? "redis");
            if (!flag(group.atRestEncryptionEnabled, engine === "valkey"))
                report(
                    group.atRestEncryptionEnabled === undefined
                        ? `atRestEncryptionEnabled is not set and defaults to false for engine ${engine}: set it to true`
                        : "atRestEncryptionEnabled is false: set it to true",
                );
        }),
    }),
    resourcePolicy({
        ...fsbp("elasticache-5-encrypted-in-transit", "ElastiCache.5", "medium"),
        title: "ElastiCache replication groups should be encrypted in transit.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: unlessInherited("transitEncryptionEnabled", (group, _args, report) => {
            if (requireTrue<ReplicationGroup>(group, "transitEncryptionEnabled", report) && group.transitEncryptionMode === "preferred")
                report('transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"');
        }),
    }),
    resourcePolicy({
        ...fsbp("elasticache-7-not-default-subnet-group", "ElastiCache.7", "high"),
        title: "ElastiCache clusters should not use the default subnet group.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        // A name unknown during preview is a SubnetGroup's output: a group of its own, never "default".
        decidesOnKnown: true,
        check: (group: ReplicationGroup, _args, report) => {
            const name = group.subnetGroupName;
            if (!isSet(name))
                report(
                    "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
                );
            else if (name === "default") report('subnetGroupName is "default": give the cluster a subnet group of its own');
        },
    }),
];

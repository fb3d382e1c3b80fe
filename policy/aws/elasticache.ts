/** FSBP ElastiCache controls, on the inputs of replication groups and clusters. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, flag, isSet, mustBeTrue, requireTrue, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

type ReplicationGroup = Inputs<aws.elasticache.ReplicationGroupArgs>;

/** Whether `key` is left to the primary: a Global Datastore secondary that does not set it inherits it (engine and encryption settings). */
function inheritedFromPrimary(props: Props, key: keyof ReplicationGroup): boolean {
    return isSet((props as ReplicationGroup).globalReplicationGroupId) && props[key] === undefined;
}

export const elasticachePolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "elasticache-1-automatic-backups",
        control: "ElastiCache.1",
        severity: "high",
        title: "ElastiCache (Redis OSS / Valkey) clusters should have automatic backups enabled.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        config: { snapshotRetentionMinimum: 1 },
        configDocs: { snapshotRetentionMinimum: "Minimum snapshotRetentionLimit in days." },
        check: (props, args, report, config) => {
            if (args.type === AWS_TYPES.cacheCluster && String(props.engine ?? "") === "memcached") return;
            const limit = (props as ReplicationGroup).snapshotRetentionLimit;
            if ((limit ?? 0) < config.snapshotRetentionMinimum)
                report(
                    `snapshotRetentionLimit is ${limit === undefined ? "not set (default 0, backups off)" : limit}; keep at least ${config.snapshotRetentionMinimum} day(s)`,
                );
        },
    }),
    resourcePolicy({
        name: "elasticache-2-auto-minor-upgrade",
        control: "ElastiCache.2",
        severity: "high",
        title: "ElastiCache clusters should have automatic minor version upgrades enabled.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        check: (props, _args, report) => {
            if (!flag((props as ReplicationGroup).autoMinorVersionUpgrade, true))
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)");
        },
    }),
    resourcePolicy({
        name: "elasticache-3-automatic-failover",
        control: "ElastiCache.3",
        severity: "medium",
        title: "ElastiCache replication groups should have automatic failover enabled.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: mustBeTrue<ReplicationGroup>("automaticFailoverEnabled", "set it to true (with at least one replica)"),
    }),
    resourcePolicy({
        name: "elasticache-4-encrypted-at-rest",
        control: "ElastiCache.4",
        severity: "medium",
        title: "ElastiCache replication groups should be encrypted at rest.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: (props, _args, report) => {
            const group = props as ReplicationGroup;
            if (inheritedFromPrimary(props, "atRestEncryptionEnabled")) return;
            // Provider default: true for valkey, false for redis (and redis is the default engine).
            const engine = String(group.engine ?? "redis");
            if (!flag(group.atRestEncryptionEnabled, engine === "valkey"))
                report(
                    group.atRestEncryptionEnabled === undefined
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
        types: [AWS_TYPES.cacheReplicationGroup],
        check: (props, _args, report) => {
            const group = props as ReplicationGroup;
            if (inheritedFromPrimary(props, "transitEncryptionEnabled")) return;
            if (requireTrue<ReplicationGroup>(props, "transitEncryptionEnabled", report) && group.transitEncryptionMode === "preferred")
                report('transitEncryptionMode is "preferred": clients may still connect in clear; set it to "required"');
        },
    }),
    resourcePolicy({
        name: "elasticache-7-not-default-subnet-group",
        control: "ElastiCache.7",
        severity: "high",
        title: "ElastiCache clusters should not use the default subnet group.",
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        check: (props, _args, report) => {
            const name = (props as ReplicationGroup).subnetGroupName;
            if (!isSet(name))
                report(
                    "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
                );
            else if (name === "default") report('subnetGroupName is "default": give the cluster a subnet group of its own');
        },
    }),
];

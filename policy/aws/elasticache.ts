/** FSBP ElastiCache controls on replication groups and clusters (inputs). */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, flag, isSet, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

/** A Global Datastore secondary inherits engine and encryption settings from the primary. */
function isCacheSecondary(p: Props): boolean {
    return isSet((p as Inputs<aws.elasticache.ReplicationGroupArgs>).globalReplicationGroupId);
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
        check: (p, a, report, c) => {
            if (a.type === AWS_TYPES.cacheCluster && String(p.engine ?? "") === "memcached") return;
            const limit = (p as Inputs<aws.elasticache.ReplicationGroupArgs>).snapshotRetentionLimit;
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
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        check: (p, _a, report) => {
            if (!flag((p as Inputs<aws.elasticache.ReplicationGroupArgs>).autoMinorVersionUpgrade, true))
                report("autoMinorVersionUpgrade is false: set it to true (or omit it; AWS defaults it to true)");
        },
    }),
    resourcePolicy({
        name: "elasticache-3-automatic-failover",
        control: "ElastiCache.3",
        severity: "medium",
        title: "ElastiCache replication groups should have automatic failover enabled.",
        types: [AWS_TYPES.cacheReplicationGroup],
        check: (p, _a, report) => {
            const g = p as Inputs<aws.elasticache.ReplicationGroupArgs>;
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
        types: [AWS_TYPES.cacheReplicationGroup],
        check: (p, _a, report) => {
            const g = p as Inputs<aws.elasticache.ReplicationGroupArgs>;
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
        types: [AWS_TYPES.cacheReplicationGroup],
        check: (p, _a, report) => {
            const g = p as Inputs<aws.elasticache.ReplicationGroupArgs>;
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
        types: [AWS_TYPES.cacheReplicationGroup, AWS_TYPES.cacheCluster],
        check: (p, _a, report) => {
            const name = (p as Inputs<aws.elasticache.ReplicationGroupArgs>).subnetGroupName;
            if (!isSet(name))
                report(
                    "subnetGroupName is not set: the cluster lands in the default subnet group (the default VPC); give it a subnet group of its own",
                );
            else if (name === "default") report('subnetGroupName is "default": give the cluster a subnet group of its own');
        },
    }),
];

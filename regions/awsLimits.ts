/**
 * AWS service limits the fleet is planned against, each with its source. The config
 * validation, the capacity model and the components read them from here.
 */

/**
 * Aurora Global Database: one primary cluster and at most 10 secondary clusters, each in a
 * region of its own; the primary cluster holds at most 15 − s read-only instances
 * (s = secondary regions) and a secondary cluster 16 in total (Aurora User Guide,
 * "Configuration requirements of an Amazon Aurora global database",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html,
 * checked November 2026).
 */
export const AURORA_MAX_SECONDARY_REGIONS = 10;
export const AURORA_MAX_READERS = 15;
export const AURORA_MAX_SECONDARY_READERS = 16;

/** ElastiCache cluster mode: shards per replication group, replicas per shard, nodes per group (Redis OSS ≥ 5.0.6 and Valkey). */
export const CACHE_MAX_SHARDS = 500;
export const CACHE_MAX_REPLICAS_PER_SHARD = 5;
export const CACHE_MAX_NODES = 500;

/** Addresses AWS reserves in every subnet: network, router, DNS, future use, broadcast (Amazon VPC User Guide, "Subnet CIDR blocks"). */
export const SUBNET_RESERVED_ADDRESSES = 5;

/** The cache-node rule in one wording, for the capacity limits and the Cache component alike; undefined when it holds. */
export function cacheNodeLimitProblem(shards: number, replicasPerShard: number): string | undefined {
    const nodes = shards * (1 + replicasPerShard);
    if (nodes <= CACHE_MAX_NODES) return undefined;
    return `${shards} cache shards × (1 + ${replicasPerShard} replicas) = ${nodes} nodes; a cluster-mode replication group has at most ${CACHE_MAX_NODES}`;
}

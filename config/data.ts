/**
 * The `platform:data` section: the database and cache tier of every cell. Pure; parsed by
 * `parseConfig` with the other sections, each rule reporting its config path.
 *
 * Aurora readers and cache shards per cell are not config: the capacity model
 * (docs/capacity.md) derives them from the load each cell must carry.
 */
import { AURORA_MAX_SECONDARY_REGIONS, CACHE_MAX_REPLICAS_PER_SHARD } from "../regions/awsLimits";
import { type Reader } from "./problems";

export interface CacheConfig {
    /** Valkey version (major.minor). @default "8.1" */
    readonly engineVersion: string;
    /** Node type; must exist in every region of the catalog. @default "cache.r7g.large" */
    readonly nodeType: string;
    /** Replicas per shard; at least 1 for multi-AZ automatic failover. @default 1 */
    readonly replicasPerShard: number;
    /** Days automatic snapshots are kept. @default 7 */
    readonly snapshotRetentionDays: number;
}

export interface DataConfig {
    /** Aurora PostgreSQL version (major.minor). @default "16.9" */
    readonly engineVersion: string;
    /** Instance class of every Aurora instance (memory-optimised, as global databases require). @default "db.r7g.large" */
    readonly instanceClass: string;
    /** Port the clusters listen on (not the well-known 5432). @default 5433 */
    readonly port: number;
    /** Name of the application database created on the primary. @default "api" */
    readonly databaseName: string;
    /** Days of point-in-time recovery. @default 14 */
    readonly backupRetentionDays: number;
    readonly cache: CacheConfig;
    /**
     * Region the global resources (global cluster, master secret and its KMS key) are managed
     * from. It must not follow `primary`: moving it would replace them (docs/regions.md).
     * Validated against the catalog in config/platform.ts. @default the primary region
     */
    readonly homeRegion?: string;
}

export const DATA_DEFAULTS = {
    engineVersion: "16.9",
    instanceClass: "db.r7g.large",
    port: 5433,
    databaseName: "api",
    backupRetentionDays: 14,
    cache: { engineVersion: "8.1", nodeType: "cache.r7g.large", replicasPerShard: 1, snapshotRetentionDays: 7 },
} as const satisfies DataConfig;

const VERSION = /^(\d+)\.(\d+)$/;
const DB_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const MEMORY_OPTIMISED = /^db\.(r|x)\d/;
const CACHE_NODE = /^cache\.[a-z0-9-]+\.[a-z0-9]+$/;
const DB_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Oldest minor version of each Aurora PostgreSQL major that supports global write forwarding
 * (all minors from 16 on; 15.4+ and 14.9+ before). Secondaries turn it on, so older versions
 * are refused.
 */
const WRITE_FORWARDING_SINCE: Readonly<Record<number, number>> = { 14: 9, 15: 4 };

/** The Aurora PostgreSQL major version of `version` ("16.9" → 16). */
export function majorOf(version: string): number {
    return Number(version.split(".")[0]);
}

/**
 * Parses `platform:data`. `regionCount` is the number of cells (one primary, the rest
 * secondaries), or 0 when the region list itself is invalid.
 */
export function parseData(root: Reader, regionCount: number): DataConfig {
    const data = root.object("data");
    data.noUnknownKeys(["engineVersion", "instanceClass", "port", "databaseName", "backupRetentionDays", "cache", "homeRegion"]);
    const d = DATA_DEFAULTS;

    const engineVersion = data.string("engineVersion", {
        default: d.engineVersion,
        pattern: VERSION,
        allowed: "an Aurora PostgreSQL version such as 16.9",
    });
    const match = VERSION.exec(engineVersion);
    if (match) {
        const [major, minor] = [Number(match[1]), Number(match[2])];
        const since = WRITE_FORWARDING_SINCE[major];
        if (major < 14 || (since !== undefined && minor < since)) {
            data.report(
                data.at("engineVersion"),
                `"${engineVersion}" does not support global write forwarding, which the secondary regions use; use 16.x or later (or 15.4+, 14.9+)`,
            );
        }
    }

    const instanceClass = data.string("instanceClass", {
        default: d.instanceClass,
        pattern: DB_CLASS,
        allowed: "an RDS instance class such as db.r7g.large",
    });
    if (DB_CLASS.test(instanceClass) && !MEMORY_OPTIMISED.test(instanceClass)) {
        data.report(
            data.at("instanceClass"),
            `"${instanceClass}" is not memory-optimised; an Aurora global database needs a db.r* or db.x* class, e.g. db.r7g.large`,
        );
    }

    const secondaries = Math.max(regionCount - 1, 0);
    if (secondaries > AURORA_MAX_SECONDARY_REGIONS) {
        root.report(
            root.at("regions"),
            `${regionCount} regions need ${secondaries} secondary clusters, but an Aurora global database has at most ${AURORA_MAX_SECONDARY_REGIONS} secondary regions; list at most ${AURORA_MAX_SECONDARY_REGIONS + 1} regions`,
        );
    }

    const port = data.integer("port", { min: 1150, max: 65535, default: d.port });
    if (port === 5432) {
        data.report(data.at("port"), `5432 is PostgreSQL's well-known port; pick another port from 1150 to 65535 (default ${d.port})`);
    }
    const databaseName = data.string("databaseName", {
        default: d.databaseName,
        pattern: DB_NAME,
        allowed: "a lower-case identifier of at most 63 characters, e.g. api",
    });
    const backupRetentionDays = data.integer("backupRetentionDays", { min: 7, max: 35, default: d.backupRetentionDays });

    const cache = data.object("cache");
    cache.noUnknownKeys(["engineVersion", "nodeType", "replicasPerShard", "snapshotRetentionDays"]);
    const cacheVersion = cache.string("engineVersion", {
        default: d.cache.engineVersion,
        pattern: VERSION,
        allowed: "a Valkey version such as 8.1",
    });
    const cacheMatch = VERSION.exec(cacheVersion);
    if (cacheMatch && (Number(cacheMatch[1]) < 7 || (Number(cacheMatch[1]) === 7 && Number(cacheMatch[2]) < 2))) {
        cache.report(cache.at("engineVersion"), `"${cacheVersion}" is not a Valkey version; Valkey starts at 7.2`);
    }
    const nodeType = cache.string("nodeType", {
        default: d.cache.nodeType,
        pattern: CACHE_NODE,
        allowed: "an ElastiCache node type such as cache.r7g.large",
    });
    const replicasPerShard = cache.integer("replicasPerShard", {
        min: 1,
        max: CACHE_MAX_REPLICAS_PER_SHARD,
        default: d.cache.replicasPerShard,
    });
    const snapshotRetentionDays = cache.integer("snapshotRetentionDays", { min: 1, max: 35, default: d.cache.snapshotRetentionDays });

    return {
        engineVersion,
        instanceClass,
        port,
        databaseName,
        backupRetentionDays,
        cache: { engineVersion: cacheVersion, nodeType, replicasPerShard, snapshotRetentionDays },
        ...optional("homeRegion", data.optionalString("homeRegion")),
    };
}

/** `{ key: value }`, or nothing when the value is unset (so a default config equals DATA_DEFAULTS). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

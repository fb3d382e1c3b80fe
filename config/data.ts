/**
 * The `platform:data` section: the database and cache tier of every cell. Every key is
 * optional.
 *
 * Aurora readers and cache shards per cell are not config: the capacity model
 * (docs/capacity.md) derives them from the load each cell must carry.
 */
import { type z } from "zod";
import { AURORA_CLASSES } from "../regions/auroraClasses";
import { CACHE_MAX_REPLICAS_PER_SHARD } from "../regions/awsLimits";
import { show } from "./problems";
import { type Immutable, catalogRegion, checked, defaulted, flag, integer, settings, text } from "./schema";

const VERSION = /^(\d+)\.(\d+)$/;
const DB_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const MEMORY_OPTIMISED = /^db\.(r|x)\d/;
const CACHE_NODE = /^cache\.[a-z0-9-]+\.[a-z0-9]+$/;
const DB_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const POSTGRES_PORT = 5432;

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

/** An Aurora PostgreSQL version (major.minor) with global write forwarding: `platform:data.engineVersion` and a cell's `pins.auroraEngineVersion`. */
export const auroraVersion = checked(text(VERSION, "an Aurora PostgreSQL version such as 16.9"), (version, report) => {
    const [major, minor] = version.split(".").map(Number);
    const since = WRITE_FORWARDING_SINCE[major];
    if (major < 14 || (since !== undefined && minor < since)) {
        report(
            `${show(version)} does not support global write forwarding, which the secondary regions use; use 16.x or later (or 15.4+, 14.9+)`,
        );
    }
}).meta({ rule: "with global write forwarding: 16+, 15.4+, 14.9+" });

/** The families of AURORA_CLASSES, for the message: "db.r5, db.r6g, …". */
const CLASS_FAMILIES = [...new Set(Object.keys(AURORA_CLASSES).map((c) => c.split(".").slice(0, 2).join(".")))].join(", ");

/**
 * Memory-optimised (global databases need db.r* or db.x*), and in regions/auroraClasses.ts: the
 * connections alarm is a share of the class's max_connections, which follows from its memory.
 */
const instanceClass = checked(text(DB_CLASS, "an RDS instance class such as db.r7g.large"), (cls, report) => {
    if (!MEMORY_OPTIMISED.test(cls)) {
        report(`${show(cls)} is not memory-optimised; an Aurora global database needs a db.r* or db.x* class, e.g. db.r7g.large`);
    } else if (AURORA_CLASSES[cls] === undefined) {
        report(
            `${show(cls)} is not a class whose memory this program knows (regions/auroraClasses.ts: the memory-optimised Aurora PostgreSQL classes offered in every catalog region, families ${CLASS_FAMILIES}); choose one of those, e.g. db.r7g.large, or add the class with its AWS source`,
        );
    }
}).meta({ rule: `memory-optimised and in regions/auroraClasses.ts (${CLASS_FAMILIES})` });

const DEFAULT_PORT = 5433;
const port = checked(integer(1150, 65535), (value, report) => {
    if (value === POSTGRES_PORT) {
        report(`${POSTGRES_PORT} is PostgreSQL's well-known port; pick another port from 1150 to 65535 (default ${DEFAULT_PORT})`);
    }
}).meta({ rule: `not ${POSTGRES_PORT}` });

const valkeyVersion = checked(text(VERSION, "a Valkey version such as 8.1"), (version, report) => {
    const [major, minor] = version.split(".").map(Number);
    if (major < 7 || (major === 7 && minor < 2)) report(`${show(version)} is not a Valkey version; Valkey starts at 7.2`);
}).meta({ rule: "7.2 or later" });

const CACHE_SCHEMA = defaulted(
    settings({
        engineVersion: valkeyVersion.default("8.1").describe("Valkey version (major.minor)"),
        nodeType: text(CACHE_NODE, "an ElastiCache node type such as cache.r7g.large")
            .default("cache.r7g.large")
            .describe("Node type; must exist in every region of the catalog"),
        replicasPerShard: integer(1, CACHE_MAX_REPLICAS_PER_SHARD)
            .default(1)
            .describe("Replicas per shard; at least 1 for multi-AZ automatic failover"),
        snapshotRetentionDays: integer(1, 35).default(7).describe("Days automatic snapshots are kept"),
    }),
);

/** `platform:data`, all keys optional. */
export const DATA_SCHEMA = defaulted(
    settings({
        engineVersion: auroraVersion.default("16.9").describe("Aurora PostgreSQL version (major.minor)"),
        instanceClass: instanceClass
            .default("db.r7g.large")
            .describe("Instance class of every Aurora instance (memory-optimised, as global databases require)"),
        port: port.default(DEFAULT_PORT).describe("Port the clusters listen on (not the well-known 5432)"),
        databaseName: text(DB_NAME, "a lower-case identifier of at most 63 characters, e.g. api")
            .default("api")
            .describe("Name of the application database created on the primary"),
        backupRetentionDays: integer(7, 35).default(14).describe("Days of point-in-time recovery"),
        cache: CACHE_SCHEMA,
        rpoBound: flag()
            .default(true)
            .describe(
                "Bound the region-loss RPO on the primary (rds.global_db_rpo); set false in the config change of an unplanned failover and back once a secondary has caught up (docs/database.md); applied only with two or more serving secondaries",
            ),
        homeRegion: catalogRegion("the region the global database was created in")
            .optional()
            .meta({ fallback: "the primary region" })
            .describe(
                "Region the global resources (global cluster, master secret and its KMS key) are managed from; set once, never changed: it does not follow the primary (docs/regions.md)",
            ),
    }).meta({ page: "docs/database.md" }),
).describe("Aurora version, instance class, port, database name, backups; Valkey version, node type, replicas");

export type DataConfig = Immutable<z.output<typeof DATA_SCHEMA>>;
export type CacheConfig = DataConfig["cache"];

/** Every key at its default (no `homeRegion`: it follows the primary until set). */
export const DATA_DEFAULTS: DataConfig = DATA_SCHEMA.parse(undefined);

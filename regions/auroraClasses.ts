/**
 * The Aurora PostgreSQL instance classes `platform:data.instanceClass` may choose, with the
 * memory each has and the `max_connections` its default parameter group gives it. Pure data:
 * the config refuses a class not listed here, and the connections alarm
 * (components/observability/cloudWatchAlarms.ts) is a share of the class's `max_connections`.
 *
 * Which classes: the memory-optimised ones (global databases need db.r* or db.x*) that Aurora
 * PostgreSQL offers in every catalog region (cfn-lint's region data, checked by
 * test/regions/auroraClasses.test.ts against shared/data/aws-facts.json). The config accepts any
 * catalog region, so a class missing from one of them could not be planned honestly.
 *
 * Memory: AWS, "Hardware specifications for DB instance classes for Aurora"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.Summary.html;
 * the same table in awsdocs/amazon-aurora-user-guide doc_source/Concepts.DBInstanceClass.md at
 * 8ceee41, "Memory (GiB)" column).
 *
 * Memory is not `DBInstanceClassMemory`, the variable of the `max_connections` formula. AWS:
 * DBInstanceClassMemory "is internally calculated by starting with the total amount of memory
 * for the DB instance class. From this, the calculation subtracts memory reserved for the
 * operating system and the RDS processes that manage the instance. Therefore, the number is
 * always somewhat lower than the memory figures shown in the instance class tables" (RDS/Aurora
 * user guide, "DB parameter formula variables",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_ParamValuesRef.html). The
 * exact amount is unpublished, so the formula over the table's memory is an upper bound. Where
 * AWS publishes a class's resulting default (AuroraPostgreSQL.Managing.html, "Maximum
 * connections to an Aurora PostgreSQL DB instance", table "Default max_connections value";
 * awsdocs/amazon-aurora-user-guide doc_source/AuroraPostgreSQL.Managing.md at 8ceee41) that
 * figure is used: db.r5.large 1600 and db.r6g.large 1722, where the formula over 16 GiB gives
 * 1802. See `auroraMaxConnections` for the classes it does not list.
 */

/**
 * Aurora PostgreSQL's default max_connections for an instance with `memoryBytes` of
 * DBInstanceClassMemory: `LEAST({DBInstanceClassMemory/9531392}, 5000)` (AWS, "Maximum
 * connections to an Aurora PostgreSQL DB instance", AuroraUserGuide/AuroraPostgreSQL.Managing.html).
 */
export function defaultMaxConnections(memoryBytes: number): number {
    return Math.min(Math.floor(memoryBytes / 9531392), 5000);
}

const HARDWARE = "AuroraUserGuide/Concepts.DBInstanceClass.Summary.html";
const MAX_CONNECTIONS = "AuroraUserGuide/AuroraPostgreSQL.Managing.html#AuroraPostgreSQL.Managing.MaxConnections";

export interface AuroraClass {
    /** Memory of the class, GiB (AWS's hardware table). */
    readonly memoryGiB: number;
    /** AWS's published default `max_connections` of the class, where AWS lists it. */
    readonly publishedMaxConnections?: number;
    /** The AWS pages the row rests on. */
    readonly source: string;
}

function row(memoryGiB: number, publishedMaxConnections?: number): AuroraClass {
    return publishedMaxConnections === undefined
        ? { memoryGiB, source: HARDWARE }
        : { memoryGiB, publishedMaxConnections, source: `${HARDWARE}; ${MAX_CONNECTIONS}` };
}

/** Every class the config may choose. */
export const AURORA_CLASSES: Readonly<Record<string, AuroraClass>> = {
    "db.r5.large": row(16, 1600),
    "db.r5.xlarge": row(32, 3300),
    "db.r5.2xlarge": row(64, 5000),
    "db.r5.4xlarge": row(128, 5000),
    "db.r5.8xlarge": row(256, 5000),
    "db.r5.12xlarge": row(384, 5000),
    "db.r5.16xlarge": row(512, 5000),
    "db.r5.24xlarge": row(768, 5000),
    "db.r6g.large": row(16, 1722),
    "db.r6g.xlarge": row(32, 3479),
    "db.r6g.2xlarge": row(64, 5000),
    "db.r6g.4xlarge": row(128, 5000),
    "db.r6g.8xlarge": row(256, 5000),
    "db.r6g.12xlarge": row(384, 5000),
    "db.r6g.16xlarge": row(512, 5000),
    "db.r6i.large": row(16),
    "db.r6i.xlarge": row(32),
    "db.r6i.2xlarge": row(64),
    "db.r6i.4xlarge": row(128),
    "db.r6i.8xlarge": row(256),
    "db.r6i.12xlarge": row(384),
    "db.r6i.16xlarge": row(512),
    "db.r6i.24xlarge": row(768),
    "db.r6i.32xlarge": row(1024),
    "db.r7g.large": row(16),
    "db.r7g.xlarge": row(32),
    "db.r7g.2xlarge": row(64),
    "db.r7g.4xlarge": row(128),
    "db.r7g.8xlarge": row(256),
    "db.r7g.12xlarge": row(384),
    "db.r7g.16xlarge": row(512),
};

/** The table's classes, for messages and docs. */
export const AURORA_CLASS_NAMES: readonly string[] = Object.keys(AURORA_CLASSES);

/**
 * The default `max_connections` of `instanceClass`, never above what the instance really has:
 * - AWS's published default where AWS lists the class;
 * - otherwise the lowest published default among classes with the same memory (db.r7g.large:
 *   1600, db.r5.large's; the formula over its nominal 16 GiB would say 1802, above every
 *   published 16 GiB figure);
 * - otherwise (only db.r6i.32xlarge, 1 TiB) the formula over the nominal memory, which is at
 *   the 5000 cap even with a third of the memory reserved (tested), so the reservation cannot
 *   change it.
 * Throws for a class not in the table; the config refuses those before any resource.
 */
export function auroraMaxConnections(instanceClass: string): number {
    const cls = AURORA_CLASSES[instanceClass];
    if (cls === undefined) throw new Error(`${instanceClass} is not in AURORA_CLASSES (regions/auroraClasses.ts)`);
    if (cls.publishedMaxConnections !== undefined) return cls.publishedMaxConnections;
    const sameMemory = Object.values(AURORA_CLASSES)
        .filter((c) => c.memoryGiB === cls.memoryGiB && c.publishedMaxConnections !== undefined)
        .map((c) => c.publishedMaxConnections as number);
    return sameMemory.length > 0 ? Math.min(...sameMemory) : defaultMaxConnections(cls.memoryGiB * 1024 ** 3);
}

import { GLOBAL_DB_RPO_SECONDS } from "../../regions/recovery";
/** Aurora PostgreSQL facts every member of the global database shares: the engine, the CA and the parameters. */
/** Aurora PostgreSQL, as the engine string every RDS resource takes. */
export const ENGINE = "aurora-postgresql";
/** RDS CA pinned so that a CA rotation is a reviewed change, not a surprise restart. */
export const CA_CERTIFICATE = "rds-ca-rsa2048-g1";

/** The cluster parameter family of an Aurora PostgreSQL version ("16.9" → "aurora-postgresql16"). */
export function parameterFamily(engineVersion: string): string {
    return `${ENGINE}${engineVersion.split(".")[0]}`;
}

/**
 * The writer's connections, as shares of its `max_connections` (Aurora PostgreSQL's default,
 * `LEAST({DBInstanceClassMemory/9531392}, 5000)`: AWS, "Maximum connections to an Aurora
 * PostgreSQL DB instance", AuroraUserGuide/AuroraPostgreSQL.Managing.html, read 2026-12).
 * Every member gets the same split because roles flip at a switchover: a writer serves its
 * own cell's proxy and the forwarded sessions of every secondary at once.
 * - writeForwarding: `apg_write_forward.max_forwarding_connections_percent` (global; default 25,
 *   1–100: AWS, "Configuration parameters for write forwarding in Aurora PostgreSQL"), set
 *   explicitly so the split cannot drift with an engine default.
 * - reserved: the master user's sessions (bootstrap, migrations, rotation, monitoring) and
 *   superuser_reserved_connections.
 * - proxy: what is left, the proxy's MaxConnectionsPercent (AWS asks proxies of a
 *   write-forwarding global database to leave the forwarding quota: rds-proxy-gdb.html).
 */
export const CONNECTION_BUDGET = { writeForwardingPercent: 25, reservedPercent: 10, proxyPercent: 65 } as const;

/** What is wrong with a connection split (empty when nothing): the shares must not exceed 100 %. Pure. */
export function connectionBudgetProblems(budget: {
    writeForwardingPercent: number;
    reservedPercent: number;
    proxyPercent: number;
}): string[] {
    const total = budget.writeForwardingPercent + budget.reservedPercent + budget.proxyPercent;
    return total > 100
        ? [
              `the writer's connections are oversubscribed: proxy ${budget.proxyPercent} % + write forwarding ${budget.writeForwardingPercent} % + reserved ${budget.reservedPercent} % = ${total} % > 100 %`,
          ]
        : [];
}

/** Aurora PostgreSQL's default max_connections formula; it lives with the instance-class table in the model. */
export { defaultMaxConnections } from "../../regions/auroraClasses";

/**
 * Forwarded sessions do not wait for their own writes to replicate back (EVENTUAL; the
 * default SESSION belongs to a database session, which RDS Proxy hands to another client at
 * each transaction boundary, and a per-session SET would pin the proxy: rds-proxy-pinning.html).
 * Set in the parameter group, so no client ever sends a SET. Values SESSION, EVENTUAL, GLOBAL,
 * OFF (aurora-global-database-write-forwarding-apg.html). Ignored where the writer is.
 */
export const WRITE_FORWARD_CONSISTENCY = "EVENTUAL";

/** Cluster parameters: TLS only, the logs an incident needs, the connection split and forwarding consistency. All dynamic. */
export const CLUSTER_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "rds.force_ssl", value: "1" },
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
    { name: "log_lock_waits", value: "1" },
    { name: "log_statement", value: "ddl" },
    { name: "apg_write_forward.max_forwarding_connections_percent", value: String(CONNECTION_BUDGET.writeForwardingPercent) },
    { name: "apg_write_forward.consistency_mode", value: WRITE_FORWARD_CONSISTENCY },
];

/**
 * The cluster parameters of a member: the primary's add the managed RPO (regions/recovery.ts)
 * when `rpoBounded`. Only there: on a member that a failover promotes it would block commits
 * while AWS rebuilds the other secondaries, so it moves with `primary` (docs/database.md,
 * switchover runbook); and only while a secondary can meet it (rpoBounded, stack/args.ts).
 */
export function clusterParameters(primary: boolean, rpoBounded: boolean): { name: string; value: string }[] {
    return [...CLUSTER_PARAMETERS, ...(primary && rpoBounded ? [{ name: "rds.global_db_rpo", value: String(GLOBAL_DB_RPO_SECONDS) }] : [])];
}
/** Instance parameters: slow statements (≥ 500 ms, well past the 30 ms budget) are logged. */
export const INSTANCE_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "log_min_duration_statement", value: "500" },
    { name: "log_temp_files", value: "0" },
];

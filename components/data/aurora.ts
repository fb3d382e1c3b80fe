/** Aurora PostgreSQL facts every member of the global database shares: the engine, the CA and the parameters. */
/** Aurora PostgreSQL, as the engine string every RDS resource takes. */
export const ENGINE = "aurora-postgresql";
/** RDS CA pinned so that a CA rotation is a reviewed change, not a surprise restart. */
export const CA_CERTIFICATE = "rds-ca-rsa2048-g1";

/** The cluster parameter family of an Aurora PostgreSQL version ("16.9" → "aurora-postgresql16"). */
export function parameterFamily(engineVersion: string): string {
    return `${ENGINE}${engineVersion.split(".")[0]}`;
}

/** Cluster parameters: TLS only, and the logs an incident needs. All dynamic. */
export const CLUSTER_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "rds.force_ssl", value: "1" },
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
    { name: "log_lock_waits", value: "1" },
    { name: "log_statement", value: "ddl" },
];
/** Instance parameters: slow statements (≥ 500 ms, well past the 30 ms budget) are logged. */
export const INSTANCE_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "log_min_duration_statement", value: "500" },
    { name: "log_temp_files", value: "0" },
];

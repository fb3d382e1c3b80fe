/**
 * The data tier's recovery objectives, per failure: what a user's acknowledged write risks
 * (RPO) and how long writes stop (RTO), each with what it rests on. Pure data; the plan
 * prints it (`npm run plan`) and docs/database.md explains it.
 */

/**
 * Managed RPO, seconds: Aurora PostgreSQL's `rds.global_db_rpo` blocks commits on the primary
 * when no secondary is within this bound (minimum 20 s: AWS, "Using switchover or failover in
 * an Amazon Aurora global database", aurora-global-database-disaster-recovery.html, read
 * 2026-12). 30 s with two secondaries: one slow region alone does not block commits.
 */
export const GLOBAL_DB_RPO_SECONDS = 30;

/**
 * Whether the primary bounds the region-loss RPO: `platform:data.rpoBound`, and two or more
 * serving secondaries. AWS blocks every commit while no secondary is within the bound
 * (aurora-global-database-disaster-recovery.html, "Managing RPOs"), so with one secondary its
 * maintenance or an upgrade wave alone would stop writes; with two, one slow region does not.
 */
export function rpoBounded(rpoBound: boolean, fleet: { readonly serving: readonly { readonly primary: boolean }[] }): boolean {
    return rpoBound && fleet.serving.filter((c) => !c.primary).length >= 2;
}

/** The alarm on AuroraGlobalDBRPOLag fires at a third of the bound: long before commits block. */
export const RPO_LAG_ALARM_MS = 10_000;

export interface RecoveryRow {
    readonly failure: string;
    /** Worst-case seconds of acknowledged writes lost; null when nothing bounds them. */
    readonly rpoSeconds: number | null;
    /** Seconds writes stop (reads keep being served from the other cells). */
    readonly rtoSeconds: number;
    readonly basis: string;
}

export interface RecoveryPlan {
    readonly rows: readonly RecoveryRow[];
}

/** `rpoBounded`: whether the primary runs with `rds.global_db_rpo` (stack/args.ts rpoBounded). */
export function recoveryPlan(rpoBounded = true): RecoveryPlan {
    return {
        rows: [
            {
                failure: "AZ loss",
                rpoSeconds: 0,
                rtoSeconds: 30,
                basis: 'Aurora storage keeps 6 copies over 3 AZs and acknowledges a commit on a 4/6 quorum; the writer fails over to a tier-0 reader in another AZ, "typically within 30 seconds" (AWS, Amazon Aurora FAQs)',
            },
            {
                failure: "planned switchover",
                rpoSeconds: 0,
                rtoSeconds: 60,
                basis: 'switchover-global-cluster waits for the secondary to catch up before it moves the writer (aurora-global-database-disaster-recovery.html); RTO "less than 1 minute" (AWS, Aurora Global Database product page); pods find the new writer at run time (no redeploy)',
            },
            {
                failure: "unplanned region failover",
                rpoSeconds: rpoBounded ? GLOBAL_DB_RPO_SECONDS : null,
                rtoSeconds: 300,
                basis: `${rpoBounded ? `rds.global_db_rpo = ${GLOBAL_DB_RPO_SECONDS} s on the primary bounds the loss` : "not bounded: rds.global_db_rpo is off (platform:data.rpoBound, or fewer than two serving secondaries, where it would block every commit whenever the one secondary lags), so the loss is the replication lag of the moment"} (typical lag is about 1 s; alarm at ${RPO_LAG_ALARM_MS / 1000} s); RTO = 2 min of alarms + the operator's decision (runbook target 2 min) + failover-global-cluster < 1 min (Aurora Global Database product page); the lost tail is in the rds:unplanned-global-failover snapshot (docs/database.md)`,
            },
            {
                failure: "operator error (a bad DELETE)",
                rpoSeconds: 0,
                rtoSeconds: 3600,
                basis: "point-in-time restore to the second before the statement (continuous backups, 14 days) or an AWS Backup recovery point (35 days, locked vault, copied to another region); RTO is the runbook's target for a restore to a new cluster and a copy back, to be measured by the restore drill",
            },
        ],
    };
}

/** The table `npm run plan` prints. */
export function formatRecovery(plan: RecoveryPlan): string {
    const rows = [["Failure", "RPO", "RTO", "Rests on"], ...plan.rows.map((r) => [r.failure, formatRpo(r), `${r.rtoSeconds} s`, r.basis])];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
    return [
        "Recovery objectives (data tier)",
        ...rows.map((r) => [0, 1, 2].map((c) => r[c].padEnd(widths[c])).join("  ") + "  " + r[3]),
    ].join("\n");
}

/** A row's RPO as the plan and the report print it. */
export function formatRpo(row: RecoveryRow): string {
    return row.rpoSeconds === null ? "unbounded" : `${row.rpoSeconds} s`;
}

/**
 * Backups that outlive a region and a mistake: an AWS Backup plan for the primary cluster,
 * daily recovery points kept in a locked vault in the cell's region and copied to a locked
 * vault in another region. Locked (AWS Backup Vault Lock, compliance mode once the grace
 * period ends): nobody, root included, can delete a recovery point before its retention or
 * shorten it; this stands in for a separate backup account, which the stack does not have.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicy, serviceTrust } from "../iam";

/** Days a recovery point is kept (both vaults): beyond Aurora's 35-day PITR ceiling. */
export const BACKUP_RETENTION_DAYS = 35;
/**
 * Vault Lock: recovery points must be kept 7 to 365 days; the lock can be changed or removed
 * for 3 days after creation (the grace period), then it is immutable (compliance mode).
 */
export const VAULT_LOCK = { minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 } as const;
/** Daily at 05:00 UTC: after Aurora's backup window (03:00–04:00) and before the maintenance window's next day. */
export const BACKUP_SCHEDULE = "cron(0 5 * * ? *)";

/** A cell's vault name: unique per account and region as AWS scopes it (it carries the project and stack). */
export function backupVaultName(project: string, stack: string, code: string): string {
    return `${project}-${stack}-${code}-data`;
}

/** `arn:aws:backup:<region>:<account>:backup-vault:<name>`: another cell's vault, before that cell exists. */
export function backupVaultArn(region: string, accountId: pulumi.Input<string>, name: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:backup:${region}:${accountId}:backup-vault:${name}`;
}

/**
 * Every cell's locked vault (retained on delete: a locked vault cannot be emptied). The
 * primary's backups land in its own; the other cells' receive its copies, and a cell that
 * becomes primary already has one.
 *
 * A region removed from the stack leaves its vault and lock behind, under the same name; when
 * the region comes back, `adopt` imports both (CreateBackupVault would fail: the name is taken in
 * that account and region). The `import` option is inert once the resource is in the stack
 * (pulumi/pulumi developer-docs/architecture/import.md: "If the resource exists and has the same
 * ID or ImportID, the resource is treated like any other resource"), so the flag may stay set.
 * Both import by vault name (vault.d.ts, vaultLockConfiguration.d.ts "## Import"), with the cell's
 * region appended (`<name>@<region>`): pulumi-aws 7 reads an import from the provider's own
 * region otherwise, and the stack's one provider is in the home region (pulumi/pulumi-aws#5523,
 * the `@<region>` import semantic; #5697, "resource '' does not exist" without it).
 *
 * The lock's `changeableForDays` is ignored after creation, always: the provider never reads it
 * back (terraform-provider-aws internal/service/backup/vault_lock_configuration.go, Read sets only
 * the vault's name, ARN and retention days), so an import would see a difference and fail, and it
 * forces a new lock, which a vault past its grace period cannot have (the delete is refused).
 */
export function declareBackupVault(
    name: string,
    args: { region: string; vaultName: string; adopt: boolean },
    parent: pulumi.Resource,
): aws.backup.Vault {
    const adopted = args.adopt ? { import: `${args.vaultName}@${args.region}` } : {};
    const vault = new aws.backup.Vault(
        `${name}-vault`,
        { region: args.region, name: args.vaultName, forceDestroy: false, tags: { Name: args.vaultName } },
        { parent, retainOnDelete: true, ...adopted },
    );
    new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        { region: args.region, backupVaultName: vault.id, ...VAULT_LOCK },
        { parent, retainOnDelete: true, ignoreChanges: ["changeableForDays"], ...adopted },
    );
    return vault;
}

export interface ClusterBackupArgs {
    readonly region: string;
    /** The cell's own vault (declareBackupVault). */
    readonly vault: aws.backup.Vault;
    /** Another cell's vault, by ARN: where every recovery point is copied. @default none (a one-region stack) */
    readonly copyVaultArn?: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
}

/** The primary's plan (daily, copied to another region) and its selection of the cluster, under `parent`. */
export function declareClusterBackup(name: string, args: ClusterBackupArgs, parent: pulumi.Resource): aws.backup.Plan {
    const child = { parent };
    const lifecycle = { deleteAfter: BACKUP_RETENTION_DAYS };
    const plan = new aws.backup.Plan(
        `${name}-plan`,
        {
            region: args.region,
            rules: [
                {
                    ruleName: "daily",
                    // A vault's id is its name (aws_backup_vault).
                    targetVaultName: args.vault.id,
                    schedule: BACKUP_SCHEDULE,
                    startWindow: 60,
                    completionWindow: 240,
                    lifecycle,
                    copyActions: args.copyVaultArn !== undefined ? [{ destinationVaultArn: args.copyVaultArn, lifecycle }] : [],
                },
            ],
        },
        child,
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            description: `${name}: AWS Backup takes and copies the cluster's snapshots`,
            assumeRolePolicy: serviceTrust("backup.amazonaws.com"),
        },
        child,
    );
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-role-policy`,
        { role: role.name, policyArn: managedPolicy("service-role/AWSBackupServiceRolePolicyForBackup") },
        child,
    );
    new aws.backup.Selection(
        `${name}-selection`,
        { region: args.region, name: `${name}-cluster`, planId: plan.id, iamRoleArn: role.arn, resources: [args.clusterArn] },
        { parent, dependsOn: [attachment] },
    );
    return plan;
}

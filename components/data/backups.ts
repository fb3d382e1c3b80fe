/**
 * Backups that outlive a region and a mistake: an AWS Backup plan for the primary cluster,
 * daily recovery points kept in a locked vault in the cell's region and copied to a locked
 * vault in another region. Locked (AWS Backup Vault Lock, compliance mode once the grace
 * period ends): nobody, root included, can delete a recovery point before its retention or
 * shorten it. Every recovery point is also copied, in the primary's region, into that cell's
 * logically air-gapped vault: AWS Backup keeps it in a service-owned account, outside this
 * account's control (docs/database.md, "Backups").
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

/**
 * Retention bounds of every cell's logically air-gapped vault, the same as the locked vaults':
 * the copies' 35 days lie within them. Fixed at creation (the provider replaces the vault on a
 * change: terraform-provider-aws internal/service/backup/logically_air_gapped_vault.go, both
 * RequiresReplace), and a replaced vault keeps its recovery points under the old name: change
 * them only with a new name.
 */
export const AIR_GAPPED_RETENTION = {
    minRetentionDays: VAULT_LOCK.minRetentionDays,
    maxRetentionDays: VAULT_LOCK.maxRetentionDays,
} as const;

/** A cell's logically air-gapped vault name (names are unique per account and region, as for standard vaults). */
export function airGappedVaultName(project: string, stack: string, code: string): string {
    return `${project}-${stack}-${code}-airgap`;
}

/** `arn:aws:backup:<region>:<account>:backup-vault:<name>`: another cell's vault, before that cell exists. */
export function backupVaultArn(region: string, accountId: pulumi.Input<string>, name: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:backup:${region}:${accountId}:backup-vault:${name}`;
}

/** The `import` option of a retained vault that a returning region adopts: its name, in the cell's region. */
function adoption(args: { region: string; vaultName: string; adopt: boolean }): { import?: string } {
    return args.adopt ? { import: `${args.vaultName}@${args.region}` } : {};
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
    args: { region: string; vaultName: string; adopt: boolean; kmsKeyArn: pulumi.Input<string> },
    parent: pulumi.Resource,
): aws.backup.Vault {
    const adopted = adoption(args);
    const vault = new aws.backup.Vault(
        `${name}-vault`,
        {
            region: args.region,
            name: args.vaultName,
            // The cell's own data key, not AWS Backup's default `aws/backup`: a copy to another Region is
            // encrypted with the destination vault's key, and for a resource AWS Backup does not fully
            // manage (Aurora) "the key associated to the destination vault must be a CMK or the managed
            // key of the service that owns the underlying resource … a Backup managed key cannot be used"
            // (AWS Backup developer guide, encryption.html). Set at creation: the key forces a new vault.
            kmsKeyArn: args.kmsKeyArn,
            forceDestroy: false,
            tags: { Name: args.vaultName },
        },
        { parent, retainOnDelete: true, ...adopted },
    );
    new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        { region: args.region, backupVaultName: vault.id, ...VAULT_LOCK },
        { parent, retainOnDelete: true, ignoreChanges: ["changeableForDays"], ...adopted },
    );
    return vault;
}

/**
 * Every cell's logically air-gapped vault (AWS-owned key, compliance-mode lock built in), retained
 * on delete like the locked vault and, for the same reason, imported by `adopt` when a removed
 * region comes back (its name stays taken in that account and region). Its id is its name
 * (logicallyAirGappedVault.d.ts "## Import"), with the cell's region appended as for the vault.
 * Per cell, not one for the stack: AWS does not copy Aurora recovery points into such a vault
 * across regions, so the primary copies into its own region's, and a switch of the primary
 * finds one in the new primary's region.
 */
export function declareAirGappedVault(
    name: string,
    args: { region: string; vaultName: string; adopt: boolean },
    parent: pulumi.Resource,
): aws.backup.LogicallyAirGappedVault {
    return new aws.backup.LogicallyAirGappedVault(
        `${name}-airgap`,
        { region: args.region, name: args.vaultName, ...AIR_GAPPED_RETENTION, tags: { Name: args.vaultName } },
        { parent, retainOnDelete: true, ...adoption(args) },
    );
}

export interface ClusterBackupArgs {
    readonly region: string;
    /** The account: the backup role may use its data keys for backups and copies only. */
    readonly accountId: pulumi.Input<string>;
    /** The cell's own vault (declareBackupVault). */
    readonly vault: aws.backup.Vault;
    /**
     * Another cell's vault, by region and ARN: where every recovery point is copied. The role uses
     * the data keys of `region` (the cluster's snapshots) and of this region (its vault's key).
     * @default none (a one-region stack: only `region`'s keys)
     */
    readonly copy?: { readonly region: string; readonly vaultArn: pulumi.Input<string> };
    /** The cell's own logically air-gapped vault (declareAirGappedVault): every recovery point is copied there too. */
    readonly airGappedVault: aws.backup.LogicallyAirGappedVault;
    readonly clusterArn: pulumi.Input<string>;
}

/** The primary's plan (daily, copied to another region and to the region's air-gapped vault) and its selection of the cluster, under `parent`. */
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
                    copyActions: [
                        ...(args.copy !== undefined ? [{ destinationVaultArn: args.copy.vaultArn, lifecycle }] : []),
                        // Same region as the source: AWS Backup copies no Aurora backup to or from an air-gapped vault across regions.
                        { destinationVaultArn: args.airGappedVault.arn, lifecycle },
                    ],
                },
            ],
        },
        child,
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            // AWSBackupServiceRolePolicyForBackup grants the snapshot and copy actions (rds:CopyDBClusterSnapshot) for both copies.
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
    // The data keys delegate to IAM (components/kms.ts), and the managed policy grants only
    // kms:DescribeKey and kms:CreateGrant on them; a copy also encrypts and decrypts with them
    // ("For all copy scenarios, the CMKs must be shared with the source copy role": Encrypt,
    // Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey via AWS Backup; logicallyairgappedvault.html,
    // "Key policy for copy/restore"). Only through AWS Backup and RDS in the key regions.
    const keyRegions = args.copy !== undefined ? [args.region, args.copy.region] : [args.region];
    const dataKeys = keyRegions.map((r) => pulumi.interpolate`arn:aws:kms:${r}:${args.accountId}:key/*`);
    const keyUse = new aws.iam.RolePolicy(
        `${name}-role-keys`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DataKeysForBackupsAndCopies",
                        Effect: "Allow",
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: dataKeys,
                        Condition: {
                            StringEquals: {
                                "kms:ViaService": keyRegions.flatMap((r) => [`backup.${r}.amazonaws.com`, `rds.${r}.amazonaws.com`]),
                            },
                        },
                    },
                    {
                        Sid: "GrantsForAwsResources",
                        Effect: "Allow",
                        Action: "kms:CreateGrant",
                        Resource: dataKeys,
                        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                    },
                ],
            }),
        },
        child,
    );
    new aws.backup.Selection(
        `${name}-selection`,
        { region: args.region, name: `${name}-cluster`, planId: plan.id, iamRoleArn: role.arn, resources: [args.clusterArn] },
        { parent, dependsOn: [attachment, keyUse] },
    );
    return plan;
}

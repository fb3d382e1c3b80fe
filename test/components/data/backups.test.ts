import * as assert from "node:assert/strict";
import { AIR_GAPPED_RETENTION, BACKUP_RETENTION_DAYS, VAULT_LOCK } from "../../../components/data/backups";
import { KEY_BREAK_GLASS_ROLE } from "../../../components/kms";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, keyArn } from "../../support/data";
import { ofType, one } from "../../support/harness";

describe("backups and data keys", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("backs up the primary cluster daily into a locked vault, copied to a locked vault in another region and to its region's air-gapped vault", () => {
        assert.deepEqual(
            ofType(ev, "aws:backup/vault:Vault")
                .map((v) => `${v.name} ${String(v.inputs.region)} retained: ${v.retainOnDelete}`)
                .sort(),
            [
                "apse1-data-backup-vault ap-southeast-1 retained: true",
                "euc1-data-backup-vault eu-central-1 retained: true",
                "use1-data-backup-vault us-east-1 retained: true",
            ],
        );
        for (const lock of ofType(ev, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"))
            assert.deepEqual(
                [lock.inputs.minRetentionDays, lock.inputs.maxRetentionDays, lock.inputs.changeableForDays, lock.retainOnDelete],
                [VAULT_LOCK.minRetentionDays, VAULT_LOCK.maxRetentionDays, VAULT_LOCK.changeableForDays, true],
            );
        const plan = one(ev, "aws:backup/plan:Plan", "use1-data-backup-plan");
        const rules = plan.inputs.rules as { lifecycle: unknown; copyActions: { destinationVaultArn: string; lifecycle: unknown }[] }[];
        assert.equal(rules.length, 1, "one rule, with both copies");
        const [rule] = rules;
        assert.deepEqual(rule.lifecycle, { deleteAfter: BACKUP_RETENTION_DAYS });
        assert.deepEqual(rule.copyActions, [
            {
                destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:platform-test-copy",
                lifecycle: { deleteAfter: BACKUP_RETENTION_DAYS },
            },
            // The primary's own region: Aurora recovery points are not copied into an air-gapped vault across regions.
            {
                destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:platform-test-airgap",
                lifecycle: { deleteAfter: BACKUP_RETENTION_DAYS },
            },
        ]);
        assert.deepEqual(
            ofType(ev, "aws:backup/plan:Plan").map((p) => p.name),
            ["use1-data-backup-plan"],
            "the primary's cluster only",
        );
        const selection = one(ev, "aws:backup/selection:Selection", "use1-data-backup-selection");
        assert.deepEqual(selection.inputs.resources, ["arn:aws:rds:us-east-1:123456789012:cluster:use1-data-db-cluster-24471c1"]);
    });

    it("encrypts every locked vault with its cell's data key (a cross-region copy of Aurora needs a customer key at the destination)", () => {
        for (const [code, region] of [
            ["use1", "us-east-1"],
            ["euc1", "eu-central-1"],
            ["apse1", "ap-southeast-1"],
        ] as const) {
            const vault = one(ev, "aws:backup/vault:Vault", `${code}-data-backup-vault`);
            assert.equal(vault.inputs.kmsKeyArn, keyArn(region, `${code}-data-db-key`), code);
            assert.ok(vault.dependencies.includes(one(ev, "aws:kms/key:Key", `${code}-data-db-key`).urn), code);
        }
    });

    it("lets the backup role use the data keys of the primary's and the copy's regions, through AWS Backup and RDS only", () => {
        const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-data-backup-role-keys").inputs.policy as string) as {
            Statement: { Sid: string; Action: string | string[]; Resource: string[]; Condition: Record<string, Record<string, unknown>> }[];
        };
        const [use, grant] = policy.Statement;
        assert.deepEqual(use!.Action, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
        assert.deepEqual(use!.Resource, ["arn:aws:kms:us-east-1:123456789012:key/*", "arn:aws:kms:eu-west-1:123456789012:key/*"]);
        assert.deepEqual(use!.Condition, {
            StringEquals: {
                "kms:ViaService": [
                    "backup.us-east-1.amazonaws.com",
                    "rds.us-east-1.amazonaws.com",
                    "backup.eu-west-1.amazonaws.com",
                    "rds.eu-west-1.amazonaws.com",
                ],
            },
        });
        assert.deepEqual([grant!.Action, grant!.Condition], ["kms:CreateGrant", { Bool: { "kms:GrantIsForAWSResource": "true" } }]);
        const selection = one(ev, "aws:backup/selection:Selection", "use1-data-backup-selection");
        assert.ok(selection.dependencies.includes(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-data-backup-role-keys").urn));
    });

    it("gives every cell a retained, logically air-gapped vault whose retention bounds hold the copies' 35 days", () => {
        const vaults = ofType(ev, "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault");
        assert.deepEqual(
            vaults
                .map(
                    (v) =>
                        `${v.name} ${String(v.inputs.region)} ${String(v.inputs.name)} retained: ${v.retainOnDelete} imported: ${v.importId}`,
                )
                .sort(),
            [
                "apse1-data-backup-airgap ap-southeast-1 platform-test-airgap retained: true imported: undefined",
                "euc1-data-backup-airgap eu-central-1 platform-test-airgap retained: true imported: undefined",
                "use1-data-backup-airgap us-east-1 platform-test-airgap retained: true imported: undefined",
            ],
        );
        for (const v of vaults) {
            assert.deepEqual([v.inputs.minRetentionDays, v.inputs.maxRetentionDays], [7, 365], v.name);
            assert.deepEqual(AIR_GAPPED_RETENTION, { minRetentionDays: 7, maxRetentionDays: 365 });
            assert.ok(
                (v.inputs.minRetentionDays as number) <= BACKUP_RETENTION_DAYS &&
                    BACKUP_RETENTION_DAYS <= (v.inputs.maxRetentionDays as number),
            );
            // The AWS-owned key, AWS's default for such a vault: no key of this account can lock the copies out.
            assert.equal(v.inputs.encryptionKeyArn, undefined, v.name);
        }
    });

    it("creates the air-gapped vault before the plan that copies into it, and sets only what the provider reads back", () => {
        const airGap = one(ev, "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault", "use1-data-backup-airgap");
        const plan = one(ev, "aws:backup/plan:Plan", "use1-data-backup-plan");
        // First up: the copy action's ARN is the vault's output, so the engine creates the vault first.
        assert.ok(plan.dependencies.includes(airGap.urn), plan.dependencies.join("\n"));
        // Second up, no diff: the provider's Read sets the name and both retention bounds (and tags, region),
        // so nothing declared here is missing from the refreshed state (logically_air_gapped_vault.go, Read).
        assert.deepEqual(Object.keys(airGap.inputs).sort(), ["maxRetentionDays", "minRetentionDays", "name", "region", "tags"]);
    });

    it("keeps point-in-time history when a cluster is deleted", () => {
        for (const c of ofType(ev, "aws:rds/cluster:Cluster")) assert.equal(c.inputs.deleteAutomatedBackups, false, c.name);
    });

    it("lets no principal but the break-glass role schedule a data key's deletion or disable it", () => {
        const keys = ofType(ev, "aws:kms/key:Key");
        assert.equal(keys.length, 4);
        for (const key of keys) {
            const policy = JSON.parse(key.inputs.policy as string);
            assert.deepEqual(policy.Statement[0].Principal, { AWS: "arn:aws:iam::123456789012:root" }, key.name);
            assert.deepEqual(policy.Statement[1], {
                Sid: "OnlyBreakGlassDeletesOrDisables",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
                Resource: "*",
                Condition: { ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::123456789012:role/${KEY_BREAK_GLASS_ROLE}` } },
            });
        }
    });
});

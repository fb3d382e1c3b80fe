import * as assert from "node:assert/strict";
import { BACKUP_RETENTION_DAYS, VAULT_LOCK } from "../../../components/data/backups";
import { KEY_BREAK_GLASS_ROLE } from "../../../components/kms";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan } from "../../support/data";
import { ofType, one } from "../../support/harness";

describe("backups and data keys", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("backs up the primary cluster daily into a locked vault, copied to a locked vault in another region", () => {
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
        const [rule] = plan.inputs.rules as { lifecycle: unknown; copyActions: { destinationVaultArn: string; lifecycle: unknown }[] }[];
        assert.deepEqual(rule.lifecycle, { deleteAfter: BACKUP_RETENTION_DAYS });
        assert.equal(rule.copyActions.length, 1);
        assert.equal(rule.copyActions[0].destinationVaultArn, "arn:aws:backup:eu-west-1:123456789012:backup-vault:platform-test-copy");
        assert.deepEqual(
            ofType(ev, "aws:backup/plan:Plan").map((p) => p.name),
            ["use1-data-backup-plan"],
            "the primary's cluster only",
        );
        const selection = one(ev, "aws:backup/selection:Selection", "use1-data-backup-selection");
        assert.deepEqual(selection.inputs.resources, ["arn:aws:rds:us-east-1:123456789012:cluster:use1-data-db-cluster-24471c1"]);
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

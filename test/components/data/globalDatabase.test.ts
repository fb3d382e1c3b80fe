import * as assert from "node:assert/strict";
import { PASSWORD_SPECIALS } from "../../../components/data/globalDatabase";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan } from "../../support/data";
import { ofType, one } from "../../support/harness";

const KEY = "aws:kms/key:Key";

describe("GlobalDatabase", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("declares an encrypted, deletion-protected, protected global cluster in the primary region", () => {
        const g = one(ev, "aws:rds/globalCluster:GlobalCluster", "use1-global-db-cluster");
        assert.deepEqual(
            [
                g.inputs.region,
                g.inputs.globalClusterIdentifier,
                g.inputs.engine,
                g.inputs.engineVersion,
                g.inputs.storageEncrypted,
                g.inputs.deletionProtection,
            ],
            ["us-east-1", "platform-test", "aurora-postgresql", "16.9", true, true],
        );
        assert.equal(g.protect, true);
        assert.equal(ofType(ev, "aws:rds/globalCluster:GlobalCluster").length, 1);
    });

    it("generates the master password as a secret with characters RDS accepts", () => {
        const p = one(ev, "random:index/randomPassword:RandomPassword", "use1-global-db-master-password");
        assert.deepEqual([p.inputs.length, p.inputs.special, p.inputs.overrideSpecial], [40, true, PASSWORD_SPECIALS]);
        for (const forbidden of ["/", "@", '"', " ", "'", "\\"]) assert.ok(!PASSWORD_SPECIALS.includes(forbidden), forbidden);
    });

    it("stores the credentials in a KMS-encrypted, protected secret whose value Pulumi writes once", () => {
        const key = one(ev, KEY, "use1-global-db-secret-key");
        assert.deepEqual([key.inputs.region, key.inputs.enableKeyRotation, key.protect], ["us-east-1", true, true]);
        const secret = one(ev, "aws:secretsmanager/secret:Secret", "use1-global-db-master-secret");
        assert.deepEqual([secret.inputs.region, secret.inputs.recoveryWindowInDays, secret.protect], ["us-east-1", 30, true]);
        assert.ok(secret.dependencies.includes(key.urn));
        const value = one(ev, "aws:secretsmanager/secretVersion:SecretVersion", "use1-global-db-master-secret-value");
        assert.equal(value.inputs.secretString, "[secret]");
        // Labelled by us too, so that AWS never deletes the version and no `up` re-creates it (data review F12).
        assert.deepEqual(value.inputs.versionStages, ["AWSCURRENT", "platform-seed"]);
        assert.deepEqual(value.ignoreChanges, ["secretString", "versionStages", "region"]);
        const json = JSON.parse(value.rawInputs.secretString as string);
        assert.deepEqual(Object.keys(json).sort(), ["dbname", "engine", "host", "password", "port", "username"]);
        assert.deepEqual([json.engine, json.port, json.username, json.dbname], ["postgres", 5433, "platform_admin", "api"]);
        assert.match(json.host, /^platform-test\.global-[0-9a-f]{10}\.global\.rds\.amazonaws\.com$/);
        assert.equal(json.password.length, 40);
    });
});

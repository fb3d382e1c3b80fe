// FSBP Secrets Manager controls: SecretsManager.1 on a small resource graph.
import * as assert from "node:assert/strict";
import { fixture, flagged } from "../../support/policy";

describe("policy pack: Secrets Manager", () => {
    it("secretsmanager-1-rotation: every secret needs a SecretRotation referring to it", async () => {
        const rotated = fixture("aws:secretsmanager/secret:Secret", "rotated", {});
        const rotation = fixture(
            "aws:secretsmanager/secretRotation:SecretRotation",
            "rotated-rotation",
            { secretId: "arn", rotationRules: { automaticallyAfterDays: 30 } },
            { dependsOn: [rotated] },
        );
        const plain = fixture("aws:secretsmanager/secret:Secret", "plain", {});
        const elsewhere = fixture("aws:secretsmanager/secretRotation:SecretRotation", "unrelated-rotation", { secretId: "other" });
        assert.deepEqual(await flagged("secretsmanager-1-rotation", [rotated, rotation, plain, elsewhere]), [
            "plain: secret plain has no aws:secretsmanager/secretRotation:SecretRotation",
        ]);
    });
});

import * as assert from "node:assert/strict";
import { AlertTopic } from "../../../components/observability/alertTopic";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { evaluateOf, one, policyOf } from "../../support/harness";

describe("AlertTopic", () => {
    it("encrypts the topic with a rotated, protected key that CloudWatch alarms may use", async () => {
        const ev = await evaluateOf(AlertTopic, "apse1-obs-alerts", { region: "ap-southeast-1", accountId: ACCOUNT_ID });
        const key = one(ev, "aws:kms/key:Key", "apse1-obs-alerts-key");
        const topic = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-topic");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        assert.match(
            topic.inputs.kmsMasterKeyId as string,
            /^arn:aws:kms:ap-southeast-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
        assert.ok(topic.dependencies.includes(key.urn), "the topic is encrypted with this key");
        assert.equal(topic.inputs.region, "ap-southeast-1");
        const cw = policyOf(key).Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish")!;
        assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.deepEqual(cw.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.deepEqual(cw.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    });
});

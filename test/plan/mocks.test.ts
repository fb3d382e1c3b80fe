import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { ACCOUNT_ID } from "../../plan/mocks";
import { evaluateComponent } from "../support/harness";

describe("account id under the mocks", () => {
    it("answers getCallerIdentity with the plan's account", async () => {
        const ev = await evaluateComponent(() => ({ accountId: aws.getCallerIdentityOutput().accountId }));
        assert.equal(ev.outputs.accountId, ACCOUNT_ID);
    });
});

import * as assert from "node:assert/strict";
import { InvokedFunction, sourceHash } from "../../../components/functions/invokedFunction";
import { type Evaluation } from "../../../plan/runtime";
import { assertAllInRegion, evaluateOf, one } from "../../support/harness";

const SOURCE = "exports.handler = async (event) => ({ ok: true, event });\n";
const POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "rds-data:ExecuteStatement", Resource: "*" }],
});

describe("InvokedFunction", () => {
    let outside: Evaluation;
    let inVpc: Evaluation;
    before(async () => {
        const args = {
            region: "eu-central-1",
            description: "test: run once",
            source: SOURCE,
            policy: POLICY,
            input: '{"step":1}',
            logRetentionDays: 30,
        };
        outside = await evaluateOf(InvokedFunction, "euc1-fn", args);
        inVpc = await evaluateOf(InvokedFunction, "euc1-fn", { ...args, vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } });
    });

    it("runs the handler source as index.handler on the Node.js 22 runtime, logging to its own group", () => {
        const fn = one(outside, "aws:lambda/function:Function", "euc1-fn-function");
        assert.deepEqual(
            [fn.inputs.runtime, fn.inputs.handler, fn.inputs.timeout, fn.inputs.memorySize, fn.inputs.vpcConfig],
            ["nodejs22.x", "index.handler", 120, 256, undefined],
        );
        assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: "euc1-fn-logs-74490d8" });
        assert.equal(one(outside, "aws:cloudwatch/logGroup:LogGroup", "euc1-fn-logs").inputs.retentionInDays, 30);
    });

    it("gives its role only the policy handed in and AWS's basic execution policy (the VPC one inside a VPC)", () => {
        const role = one(outside, "aws:iam/role:Role", "euc1-fn-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal, { Service: "lambda.amazonaws.com" });
        assert.equal(one(outside, "aws:iam/rolePolicy:RolePolicy", "euc1-fn-policy").inputs.policy, POLICY);
        const policyOf = (ev: Evaluation) =>
            one(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "euc1-fn-execution").inputs.policyArn;
        assert.equal(policyOf(outside), "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        assert.equal(policyOf(inVpc), "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
        assert.deepEqual(one(inVpc, "aws:lambda/function:Function", "euc1-fn-function").inputs.vpcConfig, {
            subnetIds: ["subnet-1"],
            securityGroupIds: ["sg-1"],
        });
    });

    it("invokes the function with the input, again whenever the handler's code changes", () => {
        const run = one(outside, "aws:lambda/invocation:Invocation", "euc1-fn-run");
        assert.equal(run.inputs.input, '{"step":1}');
        assert.deepEqual(run.inputs.triggers, { source: sourceHash(SOURCE) });
        assert.notEqual(sourceHash(SOURCE), sourceHash(`${SOURCE} `));
        assert.ok(run.dependencies.includes(one(outside, "aws:lambda/function:Function", "euc1-fn-function").urn));
    });

    it("puts every regional resource in its region", () => {
        assertAllInRegion(outside, "eu-central-1", 3);
    });
});

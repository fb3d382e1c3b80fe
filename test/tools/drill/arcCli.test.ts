import * as assert from "node:assert/strict";
import { ArcCliError, RegionSwitchCli, awsRunner } from "../../../tools/drill/arcCli";
import { writeFakeAws } from "../../support/fakeAws";
import { scratchFolder } from "../../support/scenarios";

const ARN = "arn:aws:arc-region-switch::123456789012:plan/platform-prod-to-euc1:a1b2c3";

describe("ARC Region switch through the AWS CLI", function () {
    this.timeout(20000);
    const bin = scratchFolder("fake-aws-cli-");
    let aws: ReturnType<typeof writeFakeAws>;
    before(() => (aws = writeFakeAws(bin.path())));
    const cli = (timeoutMs = 10_000) => new RegionSwitchCli(awsRunner(aws.env()), "eu-central-1", timeoutMs);
    /** The error a call rejects with. */
    const failure = async (promise: Promise<unknown>): Promise<ArcCliError> => {
        try {
            await promise;
        } catch (err) {
            assert.ok(err instanceof ArcCliError, String(err));
            return err;
        }
        throw new Error("expected the call to fail");
    };

    it("says whether a failed call reached nothing: 252, 253 and 254 did not take effect, 255 and a timeout may have", async () => {
        const results: [number | string, boolean, string][] = [];
        for (const answer of [
            { code: 252, stderr: "aws: [ERROR]: Unknown options: --x" },
            { code: 253, stderr: "Unable to locate credentials." },
            { code: 254, stderr: "An error occurred (ResourceNotFoundException)" },
            { code: 255, stderr: "Connection was closed before we received a valid response" },
            { delayMs: 3000, json: { executionId: "x" } },
        ]) {
            aws.script({ "cancel-plan-execution": [answer] });
            const err = await failure(cli(500).cancel(ARN, "eu-central-1/0123456789abcdef", "why"));
            results.push([answer.code ?? "timeout", err.notSent, err.message]);
        }
        assert.deepEqual(results, [
            [252, true, "aws arc-region-switch cancel-plan-execution failed (exit 252: aws: [ERROR]: Unknown options: --x)"],
            [253, true, "aws arc-region-switch cancel-plan-execution failed (exit 253: Unable to locate credentials.)"],
            [254, true, "aws arc-region-switch cancel-plan-execution failed (exit 254: An error occurred (ResourceNotFoundException))"],
            [
                255,
                false,
                "aws arc-region-switch cancel-plan-execution failed (exit 255: Connection was closed before we received a valid response)",
            ],
            ["timeout", false, "aws arc-region-switch cancel-plan-execution failed (no answer in time; killed)"],
        ]);
    });

    it("refuses an answer the API does not document, and a missing aws", async () => {
        aws.script({ "get-plan-execution": [{ json: { executionState: "done", stepStates: [] } }] });
        assert.equal(
            (await failure(cli().getExecution(ARN, "e"))).message,
            'get-plan-execution: executionState "done" is none the API documents',
        );
        aws.script({ "get-plan-execution": [{ json: { executionState: "inProgress", stepStates: [{ name: "a", status: "done" }] } }] });
        assert.match(
            (await failure(cli().getExecution(ARN, "e"))).message,
            /^get-plan-execution: a step state \{"name":"a","status":"done"\}/,
        );
        aws.script({ "start-plan-execution": [{ json: {} }] });
        assert.match(
            (await failure(cli().start({ planArn: ARN, targetRegion: "eu-central-1", action: "activate", mode: "graceful", comment: "c" })))
                .message,
            /^aws arc-region-switch start-plan-execution answered without "executionId"/,
        );
        const missing = await failure(new RegionSwitchCli(awsRunner({ PATH: bin.path() + "/nowhere" }), "eu-central-1").checkVersion());
        assert.deepEqual(
            [missing.notSent, missing.message],
            [true, "aws --version failed (did not run: spawn aws ENOENT): install the AWS CLI v2, 2.28.1 or newer"],
        );
    });

    it("reads the plan and the execution as the API names their fields", async () => {
        aws.script({
            "--version": [{ stdout: "aws-cli/2.36.6 Python/3.13.7 Linux/6.1.0 exe/x86_64.debian.12\n" }],
            "get-plan-in-region": [
                {
                    json: {
                        plan: {
                            arn: ARN,
                            name: "platform-prod-to-euc1",
                            regions: ["us-east-1", "eu-central-1"],
                            workflows: [{ workflowTargetAction: "activate", steps: [{ name: "s", executionBlockType: "ManualApproval" }] }],
                        },
                    },
                },
            ],
            "get-plan-execution": [
                {
                    json: {
                        executionState: "completedWithExceptions",
                        stepStates: [{ name: "s", status: "completed", startTime: "2026-12-03T02:00:00Z", stepMode: "graceful" }],
                        actualRecoveryTime: "PT5M",
                    },
                },
            ],
        });
        const c = cli();
        assert.equal(await c.checkVersion(), "2.36.6");
        assert.deepEqual(await c.getPlanInRegion(ARN), {
            arn: ARN,
            name: "platform-prod-to-euc1",
            regions: ["us-east-1", "eu-central-1"],
            workflows: [{ workflowTargetAction: "activate", steps: [{ name: "s", executionBlockType: "ManualApproval" }] }],
        });
        assert.deepEqual(await c.getExecution(ARN, "e"), {
            executionState: "completedWithExceptions",
            stepStates: [{ name: "s", status: "completed", startTime: "2026-12-03T02:00:00Z" }],
            actualRecoveryTime: "PT5M",
        });
        assert.equal(
            c.command("get-plan-execution", ["--plan-arn", ARN, "--execution-id", "it's"]),
            `aws arc-region-switch get-plan-execution --plan-arn ${ARN} --execution-id 'it'\\''s' --region eu-central-1`,
        );
    });
});

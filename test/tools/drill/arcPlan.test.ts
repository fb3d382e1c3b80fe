import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../plan/stackConfig";
import { TOOL_EXIT } from "../../../tools/common";
import { type PlanWorkflow, type StepState } from "../../../tools/drill/arcCli";
import { type ArcPlanReport, writerMayHaveMoved } from "../../../tools/drill/arcPlan";
import { main } from "../../../tools/drill/main";
import { type DrillReport } from "../../../tools/drill/report";
import { ENV, FAST, useDrillRig } from "../../support/drillRig";
import { type FakeAnswer, writeFakeAws } from "../../support/fakeAws";
import { captureIo } from "../../support/loopback";
import { scratchFolder } from "../../support/scenarios";

const ROOT = projectRoot();
const ARN = "arn:aws:arc-region-switch::123456789012:plan/platform-prod-to-euc1:a1b2c3";
const EXECUTION = "eu-central-1/0123456789abcdef";
const VERSION: FakeAnswer = { stdout: "aws-cli/2.28.1 Python/3.13.4 Linux/6.1.0 exe/x86_64.debian.12\n" };
/** The CLI's globals on every arc-region-switch call: the activating Region's data plane. */
const GLOBALS = ["--region", "eu-central-1", "--output", "json", "--no-cli-pager"];
const STEPS = [
    { name: "scale-api", executionBlockType: "EKSResourceScaling" },
    { name: "aurora", executionBlockType: "AuroraGlobalDatabase" },
    { name: "edge", executionBlockType: "CustomActionLambda" },
];
/** The plan as components/failover/regionSwitch.ts declares it for euc1, as GetPlanInRegion answers it. */
const PLAN: FakeAnswer = {
    json: {
        plan: {
            arn: ARN,
            name: "platform-prod-to-euc1",
            executionRole: "arn:aws:iam::123456789012:role/failover",
            owner: "123456789012",
            recoveryApproach: "activePassive",
            primaryRegion: "us-east-1",
            regions: ["us-east-1", "eu-central-1"],
            recoveryTimeObjectiveMinutes: 15,
            workflows: ["eu-central-1", "us-east-1"].map((region) => ({
                workflowTargetAction: "activate",
                workflowTargetRegion: region,
                steps: STEPS.map((s) => ({ ...s, executionBlockConfiguration: {} })),
            })),
        },
    },
};
const STARTED: FakeAnswer = {
    json: { executionId: EXECUTION, plan: ARN, planVersion: "1", activateRegion: "eu-central-1", deactivateRegion: "us-east-1" },
};

/** A GetPlanExecution answer: the state and the three steps' statuses. */
function execution(state: string, scale: string, aurora: string, edge: string): FakeAnswer {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 2, 0, s)).toISOString();
    const step = (name: string, status: string, i: number) => ({
        name,
        status,
        stepMode: "graceful",
        ...(status === "notStarted" ? {} : { startTime: at(i * 40) }),
        ...(["completed", "failed", "canceled"].includes(status) ? { endTime: at(i * 40 + 30) } : {}),
    });
    return {
        json: {
            planArn: ARN,
            executionId: EXECUTION,
            startTime: at(0),
            mode: "graceful",
            executionState: state,
            executionAction: "activate",
            executionRegion: "eu-central-1",
            stepStates: [step("scale-api", scale, 0), step("aurora", aurora, 1), step("edge", edge, 2)],
            ...(state === "completed" ? { endTime: at(120), actualRecoveryTime: "PT2M10S" } : {}),
        },
    };
}
const call = (operation: string, ...args: string[]) => ["arc-region-switch", operation, ...args, ...GLOBALS];
const getCall = call("get-plan-execution", "--plan-arn", ARN, "--execution-id", EXECUTION);
const startCall = call(
    "start-plan-execution",
    "--plan-arn",
    ARN,
    "--target-region",
    "eu-central-1",
    "--action",
    "activate",
    "--mode",
    "graceful",
    "--comment",
    "npm run drill of us-east-1 (stack prod)",
);
const cancelCall = (why: string) =>
    call("cancel-plan-execution", "--plan-arn", ARN, "--execution-id", EXECUTION, "--comment", `npm run drill stopped it: ${why}`);

describe("drill with the Region switch plan (--arc-plan)", function () {
    this.timeout(30000);
    const rig = useDrillRig();
    const bin = scratchFolder("fake-aws-");
    let aws: ReturnType<typeof writeFakeAws>;
    before(() => (aws = writeFakeAws(bin.path())));

    /** The drill of us-east-1 with the plan, against the rig and the fake CLI; exit status, output, report. */
    const drill = async (extra: string[] = []) => {
        const file = path.join(rig.dir, "arc-report.json");
        const io = captureIo();
        const code = await main(rig.args(["--arc-plan", ARN, "--arc-poll", "0.05", "--report", file, ...extra]), io, aws.env(ENV), FAST);
        const report = (): DrillReport => JSON.parse(readFileSync(file, "utf8"));
        return { code, stdout: io.stdout(), stderr: io.stderr(), report };
    };
    const kinds = () => rig.standIn.calls.map((c) => c.kind);

    it("runs the plan once the pool is out, follows each step to completed, measures the RTO, and leaves the pool out with the writer", async () => {
        rig.failSwitch = true;
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [
                execution("inProgress", "running", "notStarted", "notStarted"),
                execution("inProgress", "completed", "running", "notStarted"),
                execution("inProgress", "completed", "completed", "running"),
                execution("completed", "completed", "completed", "completed"),
            ],
        });
        const { code, stdout, stderr, report } = await drill(["--writes", "/drill/writes", "--max-rto", "5"]);
        assert.equal(code, TOOL_EXIT.ok, stderr);
        assert.deepEqual(aws.calls(), [
            ["--version"],
            call("get-plan-in-region", "--arn", ARN),
            startCall,
            getCall,
            getCall,
            getCall,
            getCall,
        ]);
        // The plan moved the writer: the pool is not put back (its failback's edge step does that).
        assert.deepEqual(kinds(), ["list", "health", "disable"]);
        assert.equal(rig.standIn.pools[0].enabled, false);
        const r = report();
        const plan = r.arcPlan!;
        assert.deepEqual(
            [r.outcome, r.restored, plan.verdict, plan.state, plan.executionId, plan.timeoutS, plan.canceled, plan.poolLeftDisabled],
            ["completed", false, "completed", "completed", EXECUTION, 900, false, true],
        );
        assert.deepEqual(
            plan.steps.map((s) => [s.name, s.status]),
            [
                ["scale-api", "completed"],
                ["aurora", "completed"],
                ["edge", "completed"],
            ],
        );
        assert.equal(plan.actualRecoveryTime, "PT2M10S");
        const events = r.timeline.map((e) => e.event);
        const from = events.indexOf("starting plan platform-prod-to-euc1: activate eu-central-1, graceful");
        assert.ok(from > events.indexOf("pool api-example-com-use1 disabled (API answered enabled: false)"), events.join("\n"));
        assert.deepEqual(
            events.slice(from).filter((e) => e.startsWith("plan")),
            [
                `plan execution ${EXECUTION} started`,
                "plan step scale-api: running",
                "plan step aurora: notStarted",
                "plan step edge: notStarted",
                "plan step scale-api: completed",
                "plan step aurora: running",
                "plan step aurora: completed",
                "plan step edge: running",
                "plan step edge: completed",
                `plan execution ${EXECUTION}: completed`,
            ],
        );
        // The ledger's RTO and its steps come from the same timeline.
        assert.ok(r.ledger!.rtoMs! > 0, JSON.stringify(r.ledger));
        assert.ok(r.ledger!.steps.some((s) => s.step === "plan step aurora: running" && s.durationMs >= 0));
        assert.match(stdout, /\nDrill of us-east-1 \(use1\): COMPLETED — pool left disabled with the writer's move \(below\)\n/);
        assert.match(
            stdout,
            new RegExp(
                `\nplan platform-prod-to-euc1: activate eu-central-1 \\(graceful\\), execution ${EXECUTION}: COMPLETED, completed after \\d+ s \\(budget 900 s\\); ARC's recovery time PT2M10S\n` +
                    "  step scale-api: completed in 30 s\n  step aurora: completed in 30 s\n  step edge: completed in 30 s\n",
            ),
        );
        assert.ok(
            plan.afterwards.some((line) =>
                line.includes(
                    `aws arc-region-switch start-plan-execution --plan-arn ${ARN} --target-region us-east-1 --action activate --mode graceful --region us-east-1`,
                ),
            ),
            plan.afterwards.join("\n"),
        );
    });

    it("polls through ARC's health monitoring after the steps, to completed and its recovery time", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [
                execution("inProgress", "completed", "completed", "running"),
                execution("completedMonitoringApplicationHealth", "completed", "completed", "completed"),
                execution("completed", "completed", "completed", "completed"),
            ],
        });
        const { code, stderr, report } = await drill();
        assert.equal(code, TOOL_EXIT.ok, stderr);
        assert.deepEqual(aws.calls().slice(2), [startCall, getCall, getCall, getCall]);
        const plan = report().arcPlan!;
        assert.deepEqual([plan.verdict, plan.state, plan.canceled, plan.actualRecoveryTime], ["completed", "completed", false, "PT2M10S"]);
    });

    it("completed with exceptions: exit 1, nothing canceled, the pool left out with the writer, and the steps to check named", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [execution("completedWithExceptions", "skipped", "completed", "completed")],
        });
        const { code, stderr, report } = await drill();
        assert.equal(code, TOOL_EXIT.objective, stderr);
        assert.ok(!aws.calls().some((c) => c[1] === "cancel-plan-execution"), "a finished execution is not canceled");
        assert.deepEqual(kinds(), ["list", "health", "disable"]);
        const plan = report().arcPlan!;
        assert.deepEqual(
            [report().outcome, plan.verdict, plan.canceled, plan.poolLeftDisabled],
            ["plan-failed", "completed-with-exceptions", false, true],
        );
        assert.match(stderr, new RegExp(`drill: plan execution ${EXECUTION} completed with exceptions: scale-api skipped\n`));
        assert.match(
            plan.afterwards[0],
            /^some steps did not complete \(scale-api skipped\): check them with aws arc-region-switch get-plan-execution /,
        );
    });

    it("a failed step: exit 1, the paused execution canceled, the pool left out because the Aurora step ran, and how to find the writer", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [
                execution("inProgress", "completed", "running", "notStarted"),
                execution("pausedByFailedStep", "completed", "failed", "notStarted"),
            ],
            "get-plan-execution@after:cancel-plan-execution": [execution("canceled", "completed", "failed", "canceled")],
            "cancel-plan-execution": [{ json: {} }],
        });
        const { code, stderr, report } = await drill();
        assert.equal(code, TOOL_EXIT.objective, stderr);
        assert.deepEqual(aws.calls().slice(2), [startCall, getCall, getCall, cancelCall("failed-step"), getCall]);
        assert.deepEqual(kinds(), ["list", "health", "disable"]);
        const plan: ArcPlanReport = report().arcPlan!;
        assert.deepEqual(
            [report().outcome, plan.verdict, plan.state, plan.canceled, plan.writerMayHaveMoved, plan.poolLeftDisabled],
            ["plan-failed", "failed-step", "canceled", true, true, true],
        );
        assert.match(stderr, new RegExp(`drill: plan execution ${EXECUTION} is pausedByFailedStep: step aurora failed\n`));
        assert.deepEqual(plan.afterwards.slice(0, 2), [
            `the drill canceled plan execution ${EXECUTION}; it is canceled`,
            "a cancel undoes no step: completed scale-api",
        ]);
        assert.match(
            plan.afterwards[2],
            /aws rds describe-global-clusters --region eu-central-1 --query 'GlobalClusters\[\]\.GlobalClusterMembers\[\?IsWriter\]\.DBClusterArn'/,
        );
        assert.match(
            plan.afterwards[3],
            /^if us-east-1 holds it, re-enable the pool: curl -X PATCH https:\/\/api\.cloudflare\.com\/client\/v4\/accounts\/[0-9a-f]+\/load_balancers\/pools\/p1 /,
        );
    });

    it("an execution that outruns its budget: exit 1, canceled, and the pool back since the writer never left", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [execution("inProgress", "running", "notStarted", "notStarted")],
            "get-plan-execution@after:cancel-plan-execution": [execution("canceled", "canceled", "notStarted", "notStarted")],
            "cancel-plan-execution": [{ json: {} }],
        });
        const { code, stderr, report } = await drill(["--arc-timeout", "0.4"]);
        assert.equal(code, TOOL_EXIT.objective, stderr);
        const calls = aws.calls();
        assert.deepEqual(calls.slice(-2), [cancelCall("timed-out"), getCall]);
        // Polled (every 0.05 s, each call a process of its own) until the budget was spent, not longer.
        const polls = calls.filter((c) => c[1] === "get-plan-execution").length - 1;
        assert.ok(polls >= 2, JSON.stringify(calls));
        assert.deepEqual(kinds(), ["list", "health", "disable", "enable", "health"]);
        assert.equal(rig.standIn.pools[0].enabled, true);
        const r = report();
        assert.deepEqual(
            [r.outcome, r.restored, r.arcPlan!.verdict, r.arcPlan!.timeoutS, r.arcPlan!.writerMayHaveMoved, r.arcPlan!.poolLeftDisabled],
            ["plan-failed", true, "timed-out", 0.4, false, false],
        );
        assert.match(
            stderr,
            new RegExp(`drill: plan execution ${EXECUTION} did not end within 0.4 s \\(--arc-timeout\\); it was inProgress\n`),
        );
        assert.equal(
            r.arcPlan!.afterwards.at(-1),
            "the writer never left us-east-1 (the Aurora step did not start); the drill re-enables pool api-example-com-use1",
        );
    });

    it("a start ARC refuses (exit 254): nothing started, the pool back, exit 3", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [
                {
                    code: 254,
                    stderr: "\nAn error occurred (ConflictException) when calling the StartPlanExecution operation: an execution is in progress\n",
                },
            ],
        });
        const { code, stderr, report } = await drill();
        assert.equal(code, TOOL_EXIT.failure, stderr);
        assert.deepEqual(aws.calls().slice(2), [startCall]);
        assert.deepEqual(kinds(), ["list", "health", "disable", "enable", "health"]);
        assert.match(
            stderr,
            /drill: plan platform-prod-to-euc1: aws arc-region-switch start-plan-execution failed \(exit 254: An error occurred \(ConflictException\)/,
        );
        assert.deepEqual(report().arcPlan!.afterwards, [
            "nothing was started in ARC: start-plan-execution was refused; pool api-example-com-use1 is re-enabled",
        ]);
    });

    it("a start that gets no answer (exit 255): exit 3, the pool left out until the operator knows whether an execution started", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [{ code: 255, stderr: "Connection was closed before we received a valid response from endpoint URL" }],
        });
        const { code, stderr, report } = await drill();
        assert.equal(code, TOOL_EXIT.failure, stderr);
        assert.deepEqual(aws.calls().slice(2), [startCall]);
        assert.deepEqual(kinds(), ["list", "health", "disable"]);
        const plan = report().arcPlan!;
        assert.deepEqual([report().outcome, plan.verdict, plan.executionId, plan.poolLeftDisabled], ["failed", "error", null, true]);
        assert.equal(
            plan.afterwards[0],
            `start-plan-execution did not answer: an execution may have started; list them: aws arc-region-switch list-plan-executions --plan-arn ${ARN} --region eu-central-1`,
        );
        assert.match(
            plan.afterwards[1],
            /^pool api-example-com-use1 stays disabled until you know: if an execution runs, follow it \(get-plan-execution\) or cancel it \(cancel-plan-execution\); if none started, re-enable the pool: curl -X PATCH https:\/\/api\.cloudflare\.com\/client\/v4\/accounts\/[0-9a-f]+\/load_balancers\/pools\/p1 /,
        );
        assert.equal(plan.afterwards.length, 2);
    });

    it("Ctrl-C (SIGINT) mid-execution cancels it, leaves the pool out once the Aurora step runs, and says what to do; exit 3", async () => {
        aws.script({
            "--version": [VERSION],
            "get-plan-in-region": [PLAN],
            "start-plan-execution": [STARTED],
            "get-plan-execution": [execution("inProgress", "completed", "running", "notStarted")],
            "get-plan-execution@after:cancel-plan-execution": [execution("canceled", "completed", "canceled", "notStarted")],
            "cancel-plan-execution": [{ json: {} }],
        });
        const file = path.join(rig.dir, "interrupted.json");
        const argv = rig.args(["--arc-plan", ARN, "--arc-poll", "0.05", "--report", file]);
        const child = spawn(process.execPath, [path.join(ROOT, ".build", "tools", "drill", "main.js"), ...argv], {
            env: aws.env({ ...process.env, ...ENV }),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        let stdout = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        const watch = setInterval(() => {
            if (aws.calls().some((c) => c[1] === "get-plan-execution")) {
                clearInterval(watch);
                child.kill("SIGINT");
            }
        }, 20);
        const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
        clearInterval(watch);
        assert.equal(code, TOOL_EXIT.failure, stderr);
        assert.deepEqual(aws.calls().slice(-2), [cancelCall("interrupted"), getCall]);
        assert.deepEqual(kinds(), ["list", "health", "disable"]);
        assert.match(
            stderr,
            new RegExp(`drill: interrupted while plan execution ${EXECUTION} ran\ndrill: plan execution ${EXECUTION} canceled\n`),
        );
        assert.match(stderr, /drill: interrupted: the pool stays out \(the plan's report says why\)\n/);
        const plan = (JSON.parse(readFileSync(file, "utf8")) as DrillReport).arcPlan!;
        assert.deepEqual([plan.verdict, plan.state, plan.canceled, plan.poolLeftDisabled], ["interrupted", "canceled", true, true]);
        assert.match(
            stdout,
            /\n {2}then: the Aurora step may have run: see which Region holds the writer: aws rds describe-global-clusters /,
        );
    });

    it("refuses bad flags and a plan ARC holds otherwise: exit 2 naming the flag, before anything is touched", async () => {
        aws.script({ "--version": [VERSION], "get-plan-in-region": [PLAN] });
        const other = "arn:aws:arc-region-switch::123456789012:plan/other-plan:a1b2c3";
        for (const [extra, message] of [
            [
                ["--arc-plan", "arn:aws:s3:::bucket"],
                '--arc-plan "arn:aws:s3:::bucket" is not a Region switch plan ARN (arn:aws:arc-region-switch::<account>:plan/<name>:<6 letters or digits>, as pulumi stack output failoverPlans gives it)',
            ],
            [
                ["--arc-plan", other],
                '--arc-plan names plan "other-plan", not one of stack prod\'s: platform-prod-to-euc1 (us-east-1 → eu-central-1), platform-prod-to-apse1 (us-east-1 → ap-southeast-1)',
            ],
            [["--arc-plan", ARN, "--arc-action", "promote"], '--arc-action "promote" is not activate or deactivate'],
            [["--arc-plan", ARN, "--arc-mode", "fast"], '--arc-mode "fast" is not graceful or ungraceful'],
            [["--arc-mode", "graceful", "--arc-poll", "1"], "--arc-mode, --arc-poll only apply with --arc-plan"],
            [["--arc-plan", ARN, "--arc-timeout", "0"], '--arc-timeout "0" is not a number from 0.1 to 604800'],
            [
                ["--arc-plan", ARN, "--max-failback", "5"],
                "--max-failback does not apply with --arc-plan: the plan leaves the writer and the traffic in eu-central-1, and the drill does not fail back (docs/qa.md)",
            ],
            // What ARC holds: the plan has no deactivate workflow.
            [
                ["--arc-plan", ARN, "--arc-action", "deactivate"],
                "--arc-action deactivate: plan platform-prod-to-euc1 has no deactivate workflow for us-east-1; its workflows: activate eu-central-1, activate us-east-1",
            ],
        ] as const) {
            const io = captureIo();
            assert.equal(await main(rig.args([...extra]), io, aws.env(ENV), FAST), TOOL_EXIT.input, extra.join(" "));
            assert.equal(io.stderr(), `drill: ${message}\n`);
        }
        const standby = captureIo();
        assert.equal(
            await main(
                rig.args(["--arc-plan", ARN]).map((a) => (a === "us-east-1" ? "eu-central-1" : a)),
                standby,
                aws.env(ENV),
                FAST,
            ),
            TOOL_EXIT.input,
        );
        assert.equal(
            standby.stderr(),
            "drill: --arc-plan platform-prod-to-euc1 moves the writer from us-east-1 to eu-central-1: drill --region us-east-1 with it (a standby's loss runs no plan)\n",
        );
        // Only the deactivate case asked ARC anything, and only read-only calls.
        assert.deepEqual(aws.calls(), [["--version"], call("get-plan-in-region", "--arn", ARN)]);
        assert.deepEqual(rig.standIn.calls, []);

        aws.script({ "--version": [{ stdout: "aws-cli/2.27.60 Python/3.13.4 Linux/6.1.0\n" }] });
        const old = captureIo();
        assert.equal(await main(rig.args(["--arc-plan", ARN]), old, aws.env(ENV), FAST), TOOL_EXIT.input);
        assert.equal(
            old.stderr(),
            'drill: --arc-plan: aws --version says "aws-cli/2.27.60 Python/3.13.4 Linux/6.1.0": the drill needs AWS CLI v2 2.28.1 or newer (the first with arc-region-switch)\n',
        );
        assert.deepEqual(rig.standIn.calls, []);
    });

    it("a dry run prints the start command and calls nothing", async () => {
        aws.script({});
        const io = captureIo();
        assert.equal(await main(["--region", "use1", "--arc-plan", ARN, "--arc-mode", "ungraceful"], io, aws.env({}), FAST), TOOL_EXIT.ok);
        assert.match(
            io.stdout(),
            new RegExp(
                `\nWith --execute the drill then runs plan platform-prod-to-euc1: aws arc-region-switch start-plan-execution --plan-arn ${ARN} --target-region eu-central-1 --action activate --mode ungraceful --region eu-central-1\n`,
            ),
        );
        assert.deepEqual(aws.calls(), []);
    });
});

describe("writerMayHaveMoved", () => {
    const workflow: PlanWorkflow = { workflowTargetAction: "activate", workflowTargetRegion: "eu-central-1", steps: STEPS };
    const states = (scale?: string, aurora?: string): StepState[] =>
        [
            ["scale-api", scale],
            ["aurora", aurora],
        ]
            .filter(([, status]) => status !== undefined)
            .map(([name, status]) => ({ name: name!, status: status as StepState["status"] }));

    it("is false until the Aurora step starts, true from then on, whatever its end", () => {
        assert.deepEqual(
            [
                states(),
                states("running"),
                states("completed", "notStarted"),
                states("completed", "skipped"),
                states("completed"),
                states("completed", "running"),
                states("completed", "failed"),
                states("completed", "canceled"),
                states("completed", "completed"),
            ].map((s) => writerMayHaveMoved(workflow, s)),
            [false, false, false, false, true, true, true, true, true],
        );
    });

    it("is false for a workflow without an Aurora step", () => {
        assert.equal(writerMayHaveMoved({ ...workflow, steps: [STEPS[0], STEPS[2]] }, states("completed", "completed")), false);
    });
});

/**
 * ARC Region switch through the AWS CLI v2 (`aws arc-region-switch …`): the AWS SDK's client for
 * it is not on the npm registry this project installs from, and the CLI is already a
 * prerequisite (README, "A real deployment"). Every command, parameter, enum value and output
 * field below is the service model's, botocore/data/arc-region-switch/2022-07-26/service-2.json
 * (repo boto/botocore, and the copy the CLI bundles, aws/aws-cli awscli/botocore/data/…):
 *
 * - `get-plan-in-region --arn` → `{ plan: { arn, name, regions, recoveryTimeObjectiveMinutes?,
 *   workflows: [{ workflowTargetAction, workflowTargetRegion?, steps: [{ name, executionBlockType }] }] } }`
 *   (GetPlanInRegion, the Regional data plane's; GetPlan carries `UseControlPlaneEndpoint`, the
 *   partition's central endpoint, which a Region's loss must not depend on);
 * - `start-plan-execution --plan-arn --target-region --action --mode --comment` → `{ executionId }`;
 * - `get-plan-execution --plan-arn --execution-id` → `{ executionState, stepStates: [{ name, status,
 *   startTime, endTime }], actualRecoveryTime?, startTime, endTime? }` (paginated on `stepStates`:
 *   the CLI merges the pages by itself, paginators-1.json);
 * - `cancel-plan-execution --plan-arn --execution-id --comment` → `{}`.
 *
 * The data-plane calls go to the Region being activated (`--region`): Region switch has "a data
 * plane in each AWS Region" (docs.aws.amazon.com/r53recovery/latest/dg/region-switch.html), and
 * a plan is executed from the Region you want to activate ("navigate to the AWS Region that you
 * want to activate", docs.aws.amazon.com/r53recovery/latest/dg/plan-execution-rs.html).
 * The command group first ships in AWS CLI 2.28.1 (aws/aws-cli CHANGELOG.rst on branch v2:
 * "api-change:``arc-region-switch``: This is the initial SDK release for Region switch"); every
 * member used here is in its model (tag 2.28.1, awscli/botocore/data/arc-region-switch).
 */
import { spawn } from "node:child_process";

/** The first AWS CLI v2 release with `aws arc-region-switch`. */
export const ARC_CLI_MIN_VERSION = "2.28.1";

/** StartPlanExecution `action` (ExecutionAction; `postRecovery` is a follow-up run, not a drill's). */
export const EXECUTION_ACTIONS = ["activate", "deactivate"] as const;
export type ExecutionAction = (typeof EXECUTION_ACTIONS)[number];
/** StartPlanExecution `mode` (ExecutionMode). */
export const EXECUTION_MODES = ["graceful", "ungraceful"] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
/** PlanArn's pattern in the model; group 1 is the plan's name. */
export const PLAN_ARN_PATTERN =
    /^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})$/;

/** GetPlanExecution `executionState` (ExecutionState), by what the drill does with it. */
export const EXECUTION_STATES = {
    /** Keep polling. */
    running: ["pending", "inProgress"],
    /** Every step ran (the waiter PlanExecutionCompleted's success, with `completedWithExceptions`). */
    done: ["completed"],
    /** Ran to its end, some step not completed (skipped, or failed and passed over): the waiter's other success. */
    exceptions: ["completedWithExceptions"],
    /** The steps ran; ARC still watches the application's health alarms (and has no recovery time yet): keep polling. */
    monitoring: ["completedMonitoringApplicationHealth"],
    /** Ended without completing (the waiter's failure states). */
    ended: ["failed", "canceled", "planExecutionTimedOut"],
    /** Stopped, waiting for an operator: the drill cancels it. */
    paused: ["pausedByFailedStep", "pausedByOperator", "pendingManualApproval"],
} as const;
export type ExecutionState = (typeof EXECUTION_STATES)[keyof typeof EXECUTION_STATES][number];
const KNOWN_STATES: ReadonlySet<string> = new Set(Object.values(EXECUTION_STATES).flat());

/** StepState `status` (StepStatus). */
export const STEP_STATUSES = ["notStarted", "running", "failed", "completed", "canceled", "skipped", "pendingApproval"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The ExecutionBlockType of the step that moves the Aurora writer. */
export const AURORA_BLOCK = "AuroraGlobalDatabase";

export interface PlanStep {
    readonly name: string;
    readonly executionBlockType: string;
}
export interface PlanWorkflow {
    readonly workflowTargetAction: string;
    readonly workflowTargetRegion?: string;
    readonly steps: readonly PlanStep[];
}
export interface PlanInfo {
    readonly arn: string;
    readonly name: string;
    readonly regions: readonly string[];
    readonly recoveryTimeObjectiveMinutes?: number;
    readonly workflows: readonly PlanWorkflow[];
}
export interface StepState {
    readonly name: string;
    readonly status: StepStatus;
    readonly startTime?: string;
    readonly endTime?: string;
}
export interface ExecutionInfo {
    readonly executionState: ExecutionState;
    readonly stepStates: readonly StepState[];
    readonly actualRecoveryTime?: string;
}

/** What one `aws` run gave. */
export interface CliRun {
    /** The exit status; null when killed (then `timedOut` says whether by the drill's timeout). */
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly timedOut: boolean;
}

/** Runs `aws` with arguments; the tests give a fake executable on PATH. */
export type AwsRunner = (args: readonly string[], timeoutMs: number) => Promise<CliRun>;

/**
 * The `aws` found on `env.PATH`. It runs in a process group of its own, so that a Ctrl-C at the
 * terminal reaches the drill (which then cancels what it started) and not a call in flight.
 */
export function awsRunner(env: NodeJS.ProcessEnv): AwsRunner {
    return (args, timeoutMs) =>
        new Promise((resolve) => {
            let stdout = "";
            let stderr = "";
            let timedOut = false;
            const child = spawn("aws", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            const timer = setTimeout(() => {
                timedOut = true;
                child.kill("SIGKILL");
            }, timeoutMs);
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("error", (err) => {
                clearTimeout(timer);
                resolve({ code: null, stdout, stderr: `${stderr}${err.message}`, timedOut });
            });
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code, stdout, stderr, timedOut });
            });
        });
}

/**
 * A failed `aws` call. `notSent` is true when the CLI says no request took effect: 252 (the
 * command did not run), 253 (configuration or credentials missing) and 254 (the service answered
 * with an error) in the CLI's return codes (docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html).
 */
export class ArcCliError extends Error {
    constructor(
        message: string,
        readonly notSent: boolean,
    ) {
        super(message);
    }
}

const NOT_SENT_CODES: ReadonlySet<number> = new Set([252, 253, 254]);

/** The four calls the drill makes, in the Region `region` (the one being activated). */
export class RegionSwitchCli {
    constructor(
        private readonly run: AwsRunner,
        readonly region: string,
        private readonly timeoutMs = 60_000,
    ) {}

    /** `aws --version`; refuses a CLI older than ARC_CLI_MIN_VERSION (or not v2). */
    async checkVersion(): Promise<string> {
        const result = await this.run(["--version"], this.timeoutMs);
        const text = `${result.stdout}${result.stderr}`.trim();
        if (result.code !== 0)
            throw new ArcCliError(
                `aws --version failed (${describeRun(result)}): install the AWS CLI v2, ${ARC_CLI_MIN_VERSION} or newer`,
                true,
            );
        // The CLI prints `aws-cli/<version> Python/… <platform> …`.
        const version = /^aws-cli\/(\d+)\.(\d+)\.(\d+)/.exec(text);
        if (!version || compareVersions(version.slice(1).map(Number), ARC_CLI_MIN_VERSION.split(".").map(Number)) < 0)
            throw new ArcCliError(
                `aws --version says "${text}": the drill needs AWS CLI v2 ${ARC_CLI_MIN_VERSION} or newer (the first with arc-region-switch)`,
                true,
            );
        return `${version[1]}.${version[2]}.${version[3]}`;
    }

    async getPlanInRegion(arn: string): Promise<PlanInfo> {
        const answer = await this.call(["get-plan-in-region", "--arn", arn]);
        return parsePlan(field(answer, "plan", "get-plan-in-region"));
    }

    async start(request: {
        readonly planArn: string;
        readonly targetRegion: string;
        readonly action: ExecutionAction;
        readonly mode: ExecutionMode;
        readonly comment: string;
    }): Promise<string> {
        const answer = await this.call([
            "start-plan-execution",
            "--plan-arn",
            request.planArn,
            "--target-region",
            request.targetRegion,
            "--action",
            request.action,
            "--mode",
            request.mode,
            "--comment",
            request.comment,
        ]);
        const id = field(answer, "executionId", "start-plan-execution");
        if (typeof id !== "string" || id === "")
            throw new ArcCliError(`start-plan-execution answered no executionId: ${JSON.stringify(answer)}`, false);
        return id;
    }

    async getExecution(planArn: string, executionId: string): Promise<ExecutionInfo> {
        return parseExecution(await this.call(["get-plan-execution", "--plan-arn", planArn, "--execution-id", executionId]));
    }

    async cancel(planArn: string, executionId: string, comment: string): Promise<void> {
        await this.call(["cancel-plan-execution", "--plan-arn", planArn, "--execution-id", executionId, "--comment", comment]);
    }

    /** The full command line of an operation, as the report tells the operator to run it. */
    command(operation: string, args: readonly string[]): string {
        return ["aws", "arc-region-switch", operation, ...args, "--region", this.region].map(shellWord).join(" ");
    }

    private async call(args: readonly string[]): Promise<unknown> {
        const [operation] = args;
        const result = await this.run(
            ["arc-region-switch", ...args, "--region", this.region, "--output", "json", "--no-cli-pager"],
            this.timeoutMs,
        );
        if (result.code !== 0)
            throw new ArcCliError(
                `aws arc-region-switch ${operation} failed (${describeRun(result)})`,
                result.code !== null && NOT_SENT_CODES.has(result.code),
            );
        if (result.stdout.trim() === "") return {};
        try {
            return JSON.parse(result.stdout) as unknown;
        } catch {
            throw new ArcCliError(`aws arc-region-switch ${operation} printed no JSON: ${result.stdout.slice(0, 200)}`, false);
        }
    }
}

function describeRun(result: CliRun): string {
    const status = result.timedOut ? "no answer in time; killed" : result.code === null ? "did not run" : `exit ${result.code}`;
    const said = result.stderr.trim().replace(/\s*\n\s*/g, " ");
    return said === "" ? status : `${status}: ${said}`;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
    return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function field(answer: unknown, name: string, operation: string): unknown {
    if (typeof answer !== "object" || answer === null || !(name in answer))
        throw new ArcCliError(
            `aws arc-region-switch ${operation} answered without "${name}": ${JSON.stringify(answer).slice(0, 200)}`,
            false,
        );
    return (answer as Record<string, unknown>)[name];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function parsePlan(plan: unknown): PlanInfo {
    const bad = (what: string) => new ArcCliError(`get-plan-in-region: the plan's ${what} is not as the API documents it`, false);
    if (!isRecord(plan) || typeof plan.arn !== "string" || typeof plan.name !== "string") throw bad("arn or name");
    if (!Array.isArray(plan.regions) || !plan.regions.every((r) => typeof r === "string")) throw bad("regions");
    if (!Array.isArray(plan.workflows)) throw bad("workflows");
    const workflows = plan.workflows.map((w: unknown): PlanWorkflow => {
        if (!isRecord(w) || typeof w.workflowTargetAction !== "string") throw bad("workflow");
        const steps = Array.isArray(w.steps) ? w.steps : [];
        return {
            workflowTargetAction: w.workflowTargetAction,
            ...(typeof w.workflowTargetRegion === "string" ? { workflowTargetRegion: w.workflowTargetRegion } : {}),
            steps: steps.map((s: unknown) => {
                if (!isRecord(s) || typeof s.name !== "string" || typeof s.executionBlockType !== "string") throw bad("step");
                return { name: s.name, executionBlockType: s.executionBlockType };
            }),
        };
    });
    const rto = plan.recoveryTimeObjectiveMinutes;
    return {
        arn: plan.arn,
        name: plan.name,
        regions: plan.regions as string[],
        ...(typeof rto === "number" ? { recoveryTimeObjectiveMinutes: rto } : {}),
        workflows,
    };
}

function parseExecution(answer: unknown): ExecutionInfo {
    if (!isRecord(answer) || typeof answer.executionState !== "string" || !KNOWN_STATES.has(answer.executionState))
        throw new ArcCliError(
            `get-plan-execution: executionState ${JSON.stringify(isRecord(answer) ? answer.executionState : answer)} is none the API documents`,
            false,
        );
    const steps = Array.isArray(answer.stepStates) ? answer.stepStates : [];
    return {
        executionState: answer.executionState as ExecutionState,
        stepStates: steps.map((s: unknown): StepState => {
            if (!isRecord(s) || typeof s.name !== "string" || !(STEP_STATUSES as readonly unknown[]).includes(s.status))
                throw new ArcCliError(`get-plan-execution: a step state ${JSON.stringify(s)} is not as the API documents it`, false);
            return {
                name: s.name,
                status: s.status as StepStatus,
                ...(typeof s.startTime === "string" ? { startTime: s.startTime } : {}),
                ...(typeof s.endTime === "string" ? { endTime: s.endTime } : {}),
            };
        }),
        ...(typeof answer.actualRecoveryTime === "string" ? { actualRecoveryTime: answer.actualRecoveryTime } : {}),
    };
}

/**
 * The drill's flags (the table `--help` prints and docs/qa.md lists) and their validation: the
 * stack read through stack/load.ts, the cell to drill, and every figure in range, or one
 * InputError before anything is called.
 */
import { namespaceValues } from "../../config/platform";
import { ConfigError } from "../../config/problems";
import { readStack } from "../../plan/stackConfig";
import { type FlagTable, HELP_FLAG } from "../../plan/usage";
import { standbys, switchPlanName } from "../../regions/failover";
import { type FleetCell } from "../../regions/fleet";
import { poolName } from "../../regions/naming";
import { type Stack, parseStack } from "../../stack/parse";
import {
    InputError,
    SHARED_FLAGS,
    checkRequestsCoverUsers,
    checkStackName,
    checkUrl,
    numberFlags,
    parseFlags,
    projectRoot,
    scenarioFlag,
} from "../common";
import { findCell } from "../failover";
import { rateLimitProblem } from "../rateLimit";
import { type Scenario } from "../scenario";
import { EXECUTION_ACTIONS, EXECUTION_MODES, PLAN_ARN_PATTERN } from "./arcCli";
import { type ArcOptions } from "./arcPlan";
import { type DrillBudgets } from "./ledger";

/** The drill's flags: what parseArgs reads, what `--help` prints and docs/qa.md's table lists. */
export const DRILL_FLAGS = {
    region: {
        type: "string",
        value: "NAME",
        required: true,
        description: "the cell to drill: its AWS region or its cell code, e.g. us-east-1 or use1",
    },
    stack: {
        type: "string",
        default: "prod",
        value: "NAME",
        description: "the stack whose Pulumi.NAME.yaml gives the cells and the domain",
    },
    execute: {
        type: "boolean",
        default: false,
        description: "take the pool out under load (needs CLOUDFLARE_API_TOKEN); without it the drill only prints what should happen",
    },
    target: { type: "string", value: "URL", description: "where the load goes", defaultText: "https://<platform:domain>" },
    "pool-name": {
        type: "string",
        value: "PREFIX",
        description: "take out the one load-balancer pool whose name starts with PREFIX",
        defaultText: "the Edge's pool name of the cell, e.g. api-example-com-use1",
    },
    "api-base": {
        type: "string",
        value: "URL",
        description: "the Cloudflare API's base URL; the tests point it at a stand-in",
        defaultText: "CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4",
    },
    "region-header": {
        type: "string",
        default: "x-served-region",
        value: "NAME",
        description: "the response header in which the API names the region that served it",
    },
    users: {
        type: "string",
        value: "N",
        description:
            "users under load, each a keep-alive connection with its own affinity cookie (at most what the zone's rate limit lets one address send)",
        number: { default: 30, min: 1, max: 100_000, integer: true },
    },
    scenario: SHARED_FLAGS.scenario,
    before: {
        type: "string",
        value: "S",
        description: "seconds of load before the pool goes out: the baseline",
        number: { default: 30, min: 0.1, max: 600 },
    },
    during: {
        type: "string",
        value: "S",
        description: "longest wait in seconds for the reroute once the pool is out (the affinity cookie's 300 s drain, and a minute)",
        number: { default: 360, min: 0.1, max: 900 },
    },
    settle: {
        type: "string",
        value: "S",
        description: "seconds of load kept on the rerouted path after the reroute",
        number: { default: 30, min: 0, max: 600 },
    },
    after: { type: "string", value: "S", description: "seconds of load after the pool is back", number: { default: 30, min: 0, max: 600 } },
    "restore-wait": {
        type: "string",
        value: "S",
        description: "longest wait in seconds for the restored pool to report healthy",
        number: { default: 60, min: 0, max: 600 },
    },
    "max-requests": SHARED_FLAGS["max-requests"],
    "rate-limit-exempt": {
        type: "boolean",
        default: false,
        description: "this machine's egress address is in platform:edge.rateLimit.exemptSources: run above the zone's rate limit",
    },
    writes: {
        type: "string",
        value: "PATH",
        description:
            "the API's drill-writes endpoint under --target (POST {id}, GET {ids}: docs/qa.md): keep a write ledger and count lost, duplicated and late writes",
    },
    writers: {
        type: "string",
        value: "N",
        description: "concurrent writers of the ledger",
        number: { default: 2, min: 1, max: 64, integer: true },
    },
    "max-lost": {
        type: "string",
        value: "N",
        description: "budget: acknowledged writes the new writer may lack (exit 1 above it)",
        number: { default: 0, min: 0, max: 1_000_000, integer: true },
    },
    "max-duplicated": {
        type: "string",
        value: "N",
        description: "budget: writes applied twice (exit 1 above it)",
        number: { default: 0, min: 0, max: 1_000_000, integer: true },
    },
    "max-late": {
        type: "string",
        value: "N",
        description: "budget: writes that landed though unacknowledged (exit 1 above it); unchecked when absent",
        number: { min: 0, max: 1_000_000, integer: true },
    },
    "max-rto": {
        type: "string",
        value: "S",
        description: "budget: seconds from the first failed request to the first success served by another cell; unchecked when absent",
        number: { min: 0.1, max: 3600 },
    },
    "max-failback": {
        type: "string",
        value: "S",
        description: "budget: seconds from the pool's restore to the first success served by the drilled cell again; unchecked when absent",
        number: { min: 0.1, max: 3600 },
    },
    "arc-plan": {
        type: "string",
        value: "ARN",
        description:
            "with --execute, also run this ARC Region switch plan of the stack (pulumi stack output failoverPlans) for the drilled region's loss once its pool is out, follow it to its end and report each step (AWS CLI v2 2.28.1 or newer; docs/qa.md)",
    },
    "arc-action": {
        type: "string",
        value: "ACTION",
        description:
            "with --arc-plan: the plan action as the API names it, activate (the plan's other region) or deactivate (the drilled region)",
        defaultText: "activate",
    },
    "arc-mode": {
        type: "string",
        value: "MODE",
        description: "with --arc-plan: graceful (Aurora switchover, nothing lost) or ungraceful (Aurora failover, data loss allowed)",
        defaultText: "graceful",
    },
    "arc-timeout": {
        type: "string",
        value: "S",
        description: "with --arc-plan: longest wait in seconds for the execution to end; the drill cancels it then",
        defaultText: "the plan's recoveryTimeObjectiveMinutes × 60",
        number: { min: 0.1, max: 604_800 },
    },
    "arc-poll": {
        type: "string",
        value: "S",
        description: "with --arc-plan: seconds between two reads of the execution (get-plan-execution)",
        number: { default: 15, min: 0.01, max: 300 },
    },
    report: { type: "string", value: "FILE", description: "write the report (timeline, reroute, errors, phases, ledger, plan) as JSON" },
    help: HELP_FLAG,
} as const satisfies FlagTable;

export interface DrillOptions {
    readonly stack: string;
    /** The stack being drilled: its config and fleet. */
    readonly plan: Stack;
    readonly cell: FleetCell;
    readonly execute: boolean;
    readonly token?: string;
    readonly apiBase?: string;
    readonly poolPrefix: string;
    readonly target: string;
    readonly regionHeader: string;
    readonly users: number;
    readonly scenario: Scenario;
    readonly maxRequests: number;
    /** Load before the pool goes out (the baseline). */
    readonly beforeS: number;
    /** Longest wait for the reroute once the pool is out. */
    readonly duringS: number;
    /** Load kept on the rerouted path after the reroute is seen. */
    readonly settleS: number;
    /** Load after the pool is back. */
    readonly afterS: number;
    /** Longest wait for the restored pool to report healthy. */
    readonly restoreWaitS: number;
    readonly report?: string;
    /** The write ledger: its endpoint, writers and budgets; absent without --writes. */
    readonly ledger?: { readonly url: string; readonly writers: number; readonly budgets: DrillBudgets };
    /** Users each cell carries at most, by AWS region (maxReplicas × usersPerPod). */
    readonly maxUsers?: Readonly<Record<string, number>>;
    /** The Region switch plan the drill runs once the pool is out; absent without --arc-plan. */
    readonly arc?: ArcOptions;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, root = projectRoot()): DrillOptions {
    const values = parseFlags(argv, "drill", DRILL_FLAGS);
    const number = numberFlags(DRILL_FLAGS, values);
    const region = values.region!;
    const stack = checkStackName(values.stack!);
    const { project, plan } = readStackPlan(root, stack);
    const { config, fleet } = plan;
    const cell = findCell(plan, region);
    if (!cell) {
        const cells = fleet.cells.map((c) => `${c.region} (${c.code})`).join(", ");
        throw new InputError(`--region "${region}" is not a cell of stack ${stack}; its cells: ${cells}`);
    }
    if (cell.decommissioning)
        throw new InputError(`--region "${region}" is being decommissioned in stack ${stack}: it is drained and has no pool to take out`);
    const token = env.CLOUDFLARE_API_TOKEN;
    if (values.execute && !token)
        throw new InputError(
            "--execute needs a Cloudflare API token in CLOUDFLARE_API_TOKEN: an account token with only Load Balancing: Monitors and Pools Write, short-lived (docs/qa.md)",
        );
    const regionHeader = values["region-header"]!;
    if (!/^[A-Za-z0-9-]+$/.test(regionHeader)) throw new InputError(`--region-header "${regionHeader}" is not a header name`);
    const users = number("users");
    const { scenario } = scenarioFlag(values.scenario, root);
    const maxRequests = number("max-requests");
    checkRequestsCoverUsers(maxRequests, users);
    const target = values.target !== undefined ? checkUrl("target", values.target) : `https://${config.domain}`;
    // The zone's limit counts only requests for the stack's hostname (its rule's expression).
    const limit =
        new URL(target).hostname === config.domain && rateLimitProblem(scenario, users, config.edge, values["rate-limit-exempt"] === true);
    if (limit) throw new InputError(limit);
    const apiBase = values["api-base"] ?? env.CLOUDFLARE_BASE_URL;
    return {
        stack,
        plan,
        cell,
        execute: values.execute!,
        token,
        apiBase: apiBase === undefined ? undefined : checkUrl("api-base", apiBase),
        poolPrefix: values["pool-name"] ?? poolName(config.domain, cell.code),
        // The most users each cell's HPA can serve: maxReplicas × usersPerPod, from the capacity model.
        maxUsers: Object.fromEntries(fleet.cells.map((c) => [c.region, c.capacity.maxUsers])),
        target,
        regionHeader: regionHeader.toLowerCase(),
        users,
        scenario,
        maxRequests,
        beforeS: number("before"),
        duringS: number("during"),
        settleS: number("settle"),
        afterS: number("after"),
        restoreWaitS: number("restore-wait"),
        report: values.report,
        ledger: values.writes === undefined ? undefined : ledgerOptions(target, values.writes, number, values),
        arc: arcOptions(project, stack, plan, cell, number, values),
    };
}

/** `--arc-plan` and its flags: the ARN of one of the stack's declared plans, one whose loss is the drilled cell's. */
function arcOptions(
    project: string,
    stack: string,
    plan: Stack,
    cell: FleetCell,
    number: (name: keyof typeof DRILL_FLAGS) => number,
    values: Readonly<Record<string, unknown>>,
): ArcOptions | undefined {
    const arn = values["arc-plan"] as string | undefined;
    if (arn === undefined) {
        const stray = ARC_FLAGS.filter((flag) => values[flag] !== undefined).map((flag) => `--${flag}`);
        if (stray.length > 0) throw new InputError(`${stray.join(", ")} only ${stray.length === 1 ? "applies" : "apply"} with --arc-plan`);
        return undefined;
    }
    const name = PLAN_ARN_PATTERN.exec(arn)?.[1];
    if (name === undefined)
        throw new InputError(
            `--arc-plan "${arn}" is not a Region switch plan ARN (arn:aws:arc-region-switch::<account>:plan/<name>:<6 letters or digits>, as pulumi stack output failoverPlans gives it)`,
        );
    const { fleet } = plan;
    const declared = standbys(fleet).map((to) => ({ name: switchPlanName(project, stack, to.code), to }));
    const model = declared.find((d) => d.name === name);
    if (model === undefined) {
        const known = declared.map((d) => `${d.name} (${fleet.primary.region} → ${d.to.region})`).join(", ");
        throw new InputError(
            `--arc-plan names plan "${name}", not one of stack ${stack}'s: ${known === "" ? "none (one serving cell)" : known}`,
        );
    }
    if (cell.region !== fleet.primary.region)
        throw new InputError(
            `--arc-plan ${name} moves the writer from ${fleet.primary.region} to ${model.to.region}: drill --region ${fleet.primary.region} with it (a standby's loss runs no plan)`,
        );
    const action = choice("arc-action", values["arc-action"], EXECUTION_ACTIONS, "activate");
    const mode = choice("arc-mode", values["arc-mode"], EXECUTION_MODES, "graceful");
    if (values["max-failback"] !== undefined)
        throw new InputError(
            `--max-failback does not apply with --arc-plan: the plan leaves the writer and the traffic in ${model.to.region}, and the drill does not fail back (docs/qa.md)`,
        );
    return {
        planArn: arn,
        planName: name,
        action,
        mode,
        targetRegion: action === "activate" ? model.to.region : cell.region,
        activatingRegion: model.to.region,
        deactivatingRegion: cell.region,
        timeoutS: values["arc-timeout"] === undefined ? undefined : number("arc-timeout"),
        pollS: number("arc-poll"),
    };
}

/** The flags that apply only with --arc-plan. */
const ARC_FLAGS = ["arc-action", "arc-mode", "arc-timeout", "arc-poll"] as const;

function choice<T extends string>(flag: string, given: unknown, allowed: readonly T[], fallback: T): T {
    if (given === undefined) return fallback;
    if (!(allowed as readonly unknown[]).includes(given))
        throw new InputError(`--${flag} "${String(given)}" is not ${allowed.join(" or ")}`);
    return given as T;
}

function ledgerOptions(
    target: string,
    writes: string,
    number: (name: keyof typeof DRILL_FLAGS) => number,
    values: Readonly<Record<string, unknown>>,
): NonNullable<DrillOptions["ledger"]> {
    if (!writes.startsWith("/")) throw new InputError(`--writes "${writes}" is not a path (it starts with /)`);
    const optional = (flag: "max-late" | "max-rto" | "max-failback", scale: number) =>
        values[flag] === undefined ? undefined : number(flag) * scale;
    return {
        url: new URL(writes, target).toString(),
        writers: number("writers"),
        budgets: {
            lostWrites: number("max-lost"),
            duplicatedWrites: number("max-duplicated"),
            lateWrites: optional("max-late", 1),
            rtoMs: optional("max-rto", 1000),
            failbackMs: optional("max-failback", 1000),
        },
    };
}

/** The project, and the stack's config and fleet; any problem with either is one InputError naming the file. */
function readStackPlan(root: string, stack: string): { readonly project: string; readonly plan: Stack } {
    try {
        const { project, config } = readStack(root, stack);
        return { project, plan: parseStack(namespaceValues(config), config["aws:region"]) };
    } catch (err) {
        if (err instanceof ConfigError)
            throw new InputError(`Pulumi.${stack}.yaml: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        throw new InputError((err as Error).message);
    }
}

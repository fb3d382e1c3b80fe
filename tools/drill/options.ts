/**
 * The drill's flags and their validation: the stack read through stack/load.ts, the cell to
 * drill, and every figure in range, or one InputError before anything is called.
 */
import * as path from "node:path";
import { namespaceValues } from "../../config/platform";
import { ConfigError } from "../../config/problems";
import { readStack } from "../../plan/stackConfig";
import { type FleetCell } from "../../regions/fleet";
import { poolName } from "../../regions/naming";
import { type Stack, parseStack } from "../../stack/load";
import { InputError, checkStackName, checkUrl, numberFlag, parseFlags, projectRoot } from "../common";
import { findCell } from "../failover";
import { type Scenario, ScenarioError, loadScenario } from "../scenario";

const USAGE =
    "usage: npm run drill -- --region NAME [--stack prod] [--execute] [--target URL] [--pool-name PREFIX] [--api-base URL] " +
    "[--region-header NAME] [--users N] [--scenario FILE] [--before S] [--during S] [--settle S] [--after S] [--restore-wait S] [--max-requests N] [--report FILE]";

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
    /** Users each cell carries at most, by AWS region (maxReplicas × usersPerPod). */
    readonly maxUsers?: Readonly<Record<string, number>>;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, root = projectRoot()): DrillOptions {
    const values = parseFlags(
        argv,
        {
            region: { type: "string" },
            stack: { type: "string", default: "prod" },
            execute: { type: "boolean", default: false },
            target: { type: "string" },
            "pool-name": { type: "string" },
            "api-base": { type: "string" },
            "region-header": { type: "string", default: "x-served-region" },
            users: { type: "string" },
            scenario: { type: "string" },
            before: { type: "string" },
            during: { type: "string" },
            settle: { type: "string" },
            after: { type: "string" },
            "restore-wait": { type: "string" },
            "max-requests": { type: "string" },
            report: { type: "string" },
        },
        USAGE,
    );
    if (values.region === undefined) throw new InputError(`--region is required (${USAGE})`);
    const stack = checkStackName(values.stack!);
    const plan = readStackPlan(root, stack);
    const { config, fleet } = plan;
    const cell = findCell(plan, values.region);
    if (!cell) {
        const cells = fleet.cells.map((c) => `${c.region} (${c.code})`).join(", ");
        throw new InputError(`--region "${values.region}" is not a cell of stack ${stack}; its cells: ${cells}`);
    }
    if (cell.decommissioning)
        throw new InputError(
            `--region "${values.region}" is being decommissioned in stack ${stack}: it is drained and has no pool to take out`,
        );
    const token = env.CLOUDFLARE_API_TOKEN;
    if (values.execute && !token)
        throw new InputError("--execute needs a Cloudflare API token in CLOUDFLARE_API_TOKEN (Load Balancing: Monitors and Pools Write)");
    if (!/^[A-Za-z0-9-]+$/.test(values["region-header"]!))
        throw new InputError(`--region-header "${values["region-header"]}" is not a header name`);
    const users = numberFlag("users", values.users, { default: 50, min: 1, max: 100_000, integer: true });
    const scenarioFile = path.resolve(values.scenario ?? path.join(root, "tools", "scenarios", "extension.yaml"));
    let scenario: Scenario;
    try {
        scenario = loadScenario(scenarioFile);
    } catch (err) {
        throw err instanceof ScenarioError ? new InputError(err.message) : err;
    }
    const maxRequests = numberFlag("max-requests", values["max-requests"], { default: 1_000_000, min: 1, max: 10_000_000, integer: true });
    if (maxRequests < users)
        throw new InputError(`--max-requests ${maxRequests} is below --users ${users}: every user needs at least one request`);
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
        maxUsers: Object.fromEntries(fleet.cells.map((c) => [c.region, c.capacity.pods.max * config.capacity.usersPerPod])),
        target: values.target !== undefined ? checkUrl("target", values.target) : `https://${config.domain}`,
        regionHeader: values["region-header"]!.toLowerCase(),
        users,
        scenario,
        maxRequests,
        beforeS: numberFlag("before", values.before, { default: 30, min: 0.1, max: 600 }),
        duringS: numberFlag("during", values.during, { default: 120, min: 0.1, max: 900 }),
        settleS: numberFlag("settle", values.settle, { default: 30, min: 0, max: 600 }),
        afterS: numberFlag("after", values.after, { default: 30, min: 0, max: 600 }),
        restoreWaitS: numberFlag("restore-wait", values["restore-wait"], { default: 60, min: 0, max: 600 }),
        report: values.report,
    };
}

/** The stack's config and fleet; any problem with either is one InputError naming the file. */
function readStackPlan(root: string, stack: string): Stack {
    try {
        const { config } = readStack(root, stack);
        return parseStack(namespaceValues(config), config["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError)
            throw new InputError(`Pulumi.${stack}.yaml: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        throw new InputError((err as Error).message);
    }
}

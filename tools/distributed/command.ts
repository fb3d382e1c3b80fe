/**
 * `npm run loadtest -- --distributed`: the flags only it reads, the dry run (the Jobs it would
 * start per region) and the run itself through an engine, with one merged report.
 */
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { namespaceValues } from "../../config/platform";
import { ConfigError } from "../../config/problems";
import { type SitesConfig, parseSites, siteOf } from "../../loadgen/sites";
import { readProjectName, readStack } from "../../plan/stackConfig";
import { type CloudflareRegion } from "../../regions/catalog";
import { parseStack } from "../../stack/parse";
import { type Io, InputError, TOOL_EXIT, checkStackName, errorLine } from "../common";
import { type LoadModel, checkReachable } from "../load";
import { type ZoneLimit, rateLimitProblem, siteRateLimitProblem } from "../rateLimit";
import { type Scenario } from "../scenario";
import { type Objective } from "../stats";
import { BUNDLE_FILE, SPEC_FILE, workerBundle } from "./bundle";
import { formatDistributed } from "./collect";
import { kubernetesEngine } from "./kubernetes";
import { type Engine, localEngine } from "./local";
import { DEFAULT_WORKER_RESOURCES, PINNED_IMAGE, type RunManifests, runManifests } from "./manifests";
import { type RunPlan, planRun, runDistributed } from "./run";
import { SplitError } from "./split";

export const ENGINES = ["kubernetes", "local"] as const;
export const DEFAULT_SERVICE_ACCOUNT = "loadtest-worker";

export interface DistributedFlags {
    /** The platform stack whose traffic shares split the users. */
    readonly stack: string;
    /** Its hostname and the zone's rate limit on it. */
    readonly domain: string;
    readonly zoneLimit: ZoneLimit;
    /** `platform:cloudflare.zoneOwner`: the stack whose `pulumi up` carries this one's rules (an exemption) to Cloudflare. */
    readonly zoneOwner?: string;
    /** `--rate-limit-exempt`: this machine's egress is exempt (the local engine's workers all leave through it). */
    readonly rateLimitExempt: boolean;
    readonly defaultUsers: number;
    readonly traffic: Readonly<Partial<Record<CloudflareRegion, number>>>;
    readonly steering: Readonly<Partial<Record<CloudflareRegion, readonly string[]>>>;
    readonly usersPerWorker: number;
    readonly engine: (typeof ENGINES)[number];
    readonly dryRun: boolean;
    readonly startInS: number;
    /** `--image`: needed for a run's Jobs on Kubernetes; a dry run shows its Jobs without it; the local engine runs this machine's Node. */
    readonly image?: string;
    /** The load-generator stack's name and its file. */
    readonly sitesStack: string;
    readonly sitesFile: string;
    /** Its config, when the file exists; a Kubernetes run needs it. */
    readonly sites?: SitesConfig;
}

/** What the run takes from the load test's own options. */
export interface RunInputs {
    readonly target: string;
    readonly scenario: Scenario;
    readonly users: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly timeoutS: number;
    readonly maxRequests: number;
    readonly objective: Objective;
    readonly model: LoadModel;
    readonly json?: string;
}

type Values = { readonly [name: string]: unknown };

/** Reads the `--distributed` flags, the platform stack and the load-generator stack; an InputError on any problem. */
export function distributedFlags(
    values: Values,
    number: (name: string, fallback?: number) => number,
    stack: string,
    root: string,
): DistributedFlags {
    const engine = (values.engine as string | undefined) ?? "kubernetes";
    if (!(ENGINES as readonly string[]).includes(engine))
        throw new InputError(`--engine ${JSON.stringify(engine)} is not kubernetes or local`);
    let platform;
    try {
        const { config } = readStack(root, stack);
        platform = parseStack(namespaceValues(config), config["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError)
            throw new InputError(`Pulumi.${stack}.yaml: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        throw new InputError((err as Error).message);
    }
    const dryRun = values["dry-run"] === true;
    const image = imageFlag(values.image as string | undefined, engine === "kubernetes" && !dryRun);
    const sitesStack = checkStackName((values.sites as string | undefined) ?? "loadtest");
    const loadgen = path.join(root, "loadgen");
    const sitesFile = path.join(loadgen, `Pulumi.${sitesStack}.yaml`);
    let sites: SitesConfig | undefined;
    if (existsSync(sitesFile)) {
        try {
            const { config } = readStack(loadgen, sitesStack);
            sites = parseSites(sitesValues(config), sitesStack, readProjectName(root));
        } catch (err) {
            if (err instanceof ConfigError)
                throw new InputError(`${sitesFile}: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
            throw new InputError((err as Error).message);
        }
    }
    return {
        stack,
        domain: platform.config.domain,
        zoneLimit: platform.config.edge,
        zoneOwner: platform.config.cloudflare.zoneOwner,
        rateLimitExempt: values["rate-limit-exempt"] === true,
        defaultUsers: platform.config.capacity.targetConcurrentUsers,
        traffic: platform.config.traffic,
        steering: platform.fleet.steering.regions,
        usersPerWorker: number("users-per-worker"),
        engine: engine as DistributedFlags["engine"],
        dryRun,
        startInS: number("start-in", engine === "local" ? 3 : DEFAULT_START_IN_S),
        image,
        sitesStack,
        sitesFile,
        sites,
    };
}

/**
 * Seconds from the start command to the workers' common start on Kubernetes: time for Karpenter
 * or the Cluster Autoscaler to add nodes to a node group at zero, for them to join, and for
 * every pod to pull the image (docs/qa.md, "Start time"). The Jobs' deadline follows it (run.ts).
 */
export const DEFAULT_START_IN_S = 480;

const IMAGE_HOWTO =
    "get the multi-arch index digest with `docker buildx imagetools inspect node:22-bookworm-slim` (its first Digest: line) and pass --image node:22-bookworm-slim@sha256:<that digest> (any Node ≥ 22.19)";

/** `--image`, pinned by digest; an InputError when it is missing where Jobs are made, or not pinned. */
export function imageFlag(image: string | undefined, needed: boolean): string | undefined {
    if (image === undefined) {
        if (needed) throw new InputError(`--image is required with --distributed on Kubernetes: ${IMAGE_HOWTO}`);
        return undefined;
    }
    if (!PINNED_IMAGE.test(image))
        throw new InputError(`--image ${JSON.stringify(image)} is not pinned by digest (name[:tag]@sha256:<64 hex>): ${IMAGE_HOWTO}`);
    return image;
}

function sitesValues(config: Readonly<Record<string, string>>): Record<string, unknown> {
    const prefix = "loadgen:";
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), parseJson(value)]),
    );
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * What a dry run without --image shows as the workers' image: a marker, never a pullable name (the
 * `<` and spaces make it an invalid reference), so that the Jobs it prints cannot be applied as they are.
 */
export const IMAGE_NOT_GIVEN = "<not given: pass --image NAME@sha256:DIGEST>";

/** Why a real run would be refused when a dry run is made without --image. */
export const IMAGE_MISSING_PROBLEM = `--image is not given: a run on Kubernetes is refused until it is pinned by digest; ${IMAGE_HOWTO}`;

/**
 * The manifests of every generator region of `plan`, in the namespace of its site (or the defaults,
 * without one). Without --image only a dry run gets them, with the image marked IMAGE_NOT_GIVEN.
 */
export function planManifests(plan: RunPlan, flags: DistributedFlags, bundle: Buffer): RunManifests[] {
    const image = flags.image ?? (flags.dryRun ? IMAGE_NOT_GIVEN : undefined);
    if (image === undefined) throw new InputError(`--image is required for the Jobs: ${IMAGE_HOWTO}`);
    return plan.specs.map((spec, i) => {
        const region = plan.distribution.regions[i];
        const sites = flags.sites;
        return runManifests(spec, bundle, {
            namespace: sites?.namespace ?? "loadgen",
            code: region.code,
            image,
            serviceAccountName: DEFAULT_SERVICE_ACCOUNT,
            resources: sites ? { cpuMillicores: sites.workerCpuMillicores, memoryMiB: sites.workerMemoryMiB } : DEFAULT_WORKER_RESOURCES,
            deadlineS: plan.deadlineS,
        });
    });
}

/** Every reason the sites cannot take this run: a region without a site, more workers than a site's quota. */
export function siteProblems(plan: RunPlan, flags: DistributedFlags): string[] {
    const sites = flags.sites;
    if (sites === undefined) return [`${flags.sitesFile} does not exist: declare the generator sites first (docs/qa.md)`];
    return plan.distribution.regions.flatMap((region) => {
        if (siteOf(sites, region.region) === undefined)
            return [
                `${region.region} generates ${region.users} users (${region.cloudflareRegions.join(", ")}) but ${path.basename(flags.sitesFile)} has no site there`,
            ];
        if (region.workers.length > sites.maxWorkersPerSite)
            return [
                `${region.region} needs ${region.workers.length} workers, above loadgen:maxWorkersPerSite ${sites.maxWorkersPerSite}: raise --users-per-worker or the quota`,
            ];
        return [];
    });
}

/**
 * Every reason the zone's own rate limit would spoil this run: with the local engine, every user
 * from this machine; on Kubernetes, per site, its users through its NAT egress unless that egress
 * is exempt. Only when the target is the stack's hostname (the rule matches that host alone).
 */
export function rateLimitProblems(plan: RunPlan, flags: DistributedFlags, inputs: Pick<RunInputs, "target" | "scenario">): string[] {
    if (new URL(inputs.target).hostname !== flags.domain) return [];
    const { users } = plan.distribution;
    const openRate = (share: number) => (plan.ratePerSecond === undefined ? undefined : (plan.ratePerSecond * share) / users);
    if (flags.engine === "local") {
        const problem = rateLimitProblem(inputs.scenario, users, flags.zoneLimit, flags.rateLimitExempt, {
            name: "load test",
            openRate: openRate(users),
        });
        return problem === undefined ? [] : [problem];
    }
    const sites = flags.sites;
    if (sites === undefined) return [];
    return plan.distribution.regions.flatMap((region) => {
        const index = sites.sites.findIndex((s) => s.region === region.region);
        if (index < 0) return [];
        const problem = siteRateLimitProblem(
            {
                region: region.region,
                at: `loadgen:sites[${index}]`,
                egress: sites.sites[index].egress,
                scenario: inputs.scenario,
                users: region.users,
                openRate: openRate(region.users),
            },
            flags.zoneLimit,
            flags.stack,
            flags.zoneOwner,
        );
        return problem === undefined ? [] : [problem];
    });
}

/** The dry run: per region, who it generates, the Job and where it would run; then each Job as YAML. */
export function formatDryRun(plan: RunPlan, flags: DistributedFlags, inputs: RunInputs, manifests: readonly RunManifests[]): string {
    const problems = [
        ...(flags.image === undefined && flags.engine === "kubernetes" ? [IMAGE_MISSING_PROBLEM] : []),
        ...siteProblems(plan, flags),
        ...rateLimitProblems(plan, flags, inputs),
    ];
    const lines = [
        `distributed run ${plan.runId} (dry run: nothing started): ${plan.distribution.users} users of stack ${flags.stack}'s traffic against ${inputs.target}, ` +
            `${inputs.model.kind} model${plan.ratePerSecond === undefined ? "" : ` (${plan.ratePerSecond} requests/s)`}, at most ${flags.usersPerWorker} users a worker, ` +
            `${inputs.durationS} s from ${flags.startInS} s after the start`,
    ];
    for (const [i, region] of plan.distribution.regions.entries()) {
        const m = manifests[i];
        const site = flags.sites && siteOf(flags.sites, region.region);
        lines.push(
            `  ${region.region} (${region.cloudflareRegions.join(", ")} users, steered to ${region.servedBy ?? "-"}): ${region.users} users, ` +
                `${region.workers.length} worker${region.workers.length === 1 ? "" : "s"} of ${[...new Set(region.workers)].join("/")} users; Job ${m.name} in ` +
                `${m.namespace}${site ? ` on ${site.context}` : " (no site)"}`,
        );
    }
    const spec = manifests[0]?.configMap.data as Record<string, string> | undefined;
    const bundleBytes = manifests[0]
        ? Buffer.from((manifests[0].configMap.binaryData as Record<string, string>)[BUNDLE_FILE], "base64").length
        : 0;
    lines.push(
        `  each ConfigMap: ${BUNDLE_FILE} (${bundleBytes} bytes) and ${SPEC_FILE} (${spec ? Buffer.byteLength(spec[SPEC_FILE]) : 0} bytes)`,
    );
    lines.push(...problems.map((p) => `  a run would be refused: ${p}`));
    for (const m of manifests) lines.push("---", stringify(m.job, { aliasDuplicateObjects: false }).trimEnd());
    return lines.join("\n");
}

export interface CommandRuntime {
    /** The engine a Kubernetes run uses; tests pass one built on a stand-in API server. */
    readonly kubernetes?: (sites: SitesConfig) => Engine;
}

export async function runDistributedCommand(
    inputs: RunInputs,
    flags: DistributedFlags,
    io: Io,
    signal?: AbortSignal,
    runtime: CommandRuntime = {},
): Promise<number> {
    let plan: RunPlan;
    try {
        plan = planRun({
            ...inputs,
            model: inputs.model.kind,
            ratePerSecond: inputs.model.kind === "open" ? inputs.model.ratePerSecond : undefined,
            usersPerWorker: flags.usersPerWorker,
            startInS: flags.startInS,
            traffic: flags.traffic,
            steering: flags.steering,
        });
    } catch (err) {
        if (err instanceof SplitError) throw new InputError(err.message);
        throw err;
    }
    // The local engine makes no Jobs: its workers are processes of this machine's Node.
    const manifests = flags.dryRun || flags.engine === "kubernetes" ? planManifests(plan, flags, workerBundle()) : [];
    if (flags.dryRun) {
        io.out(`${formatDryRun(plan, flags, inputs, manifests)}\n`);
        return TOOL_EXIT.ok;
    }
    const limits = rateLimitProblems(plan, flags, inputs);
    let engine: Engine;
    if (flags.engine === "local") {
        if (limits.length > 0) throw new InputError(limits.join("; "));
        await checkReachable(inputs.target);
        engine = localEngine;
    } else {
        const problems = [...siteProblems(plan, flags), ...limits];
        if (problems.length > 0) throw new InputError(problems.join("; "));
        engine = (runtime.kubernetes ?? kubernetesEngine)(flags.sites!);
    }
    io.err(
        `loadtest: distributed run ${plan.runId}: ${plan.distribution.users} users in ${plan.distribution.regions.length} regions ` +
            `(${plan.specs.reduce((n, s) => n + s.users.length, 0)} workers, ${flags.engine}), starting in ${flags.startInS} s\n`,
    );
    try {
        const report = await runDistributed(
            plan,
            engine,
            { ...inputs, scenario: inputs.scenario.name, model: inputs.model.kind },
            { manifests, signal },
        );
        io.out(`${formatDistributed(report)}\n`);
        if (inputs.json) writeFileSync(inputs.json, `${JSON.stringify(report, null, 2)}\n`);
        if (signal?.aborted) {
            io.err("loadtest: interrupted; the Jobs were deleted and the figures cover the workers that reported\n");
            return TOOL_EXIT.failure;
        }
        return report.objective.holds ? TOOL_EXIT.ok : TOOL_EXIT.objective;
    } catch (err) {
        io.err(errorLine("loadtest", err));
        return TOOL_EXIT.failure;
    }
}

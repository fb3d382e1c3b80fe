/**
 * A release in waves (docs/releases.md): for each wave, the health gate first, then the wave's
 * cells pinned to the new value in the stack file, the offline plan of that state (exit 0
 * required), `pulumi preview` and `pulumi up` targeted at the wave's cells, and a bake during
 * which every cell reached so far must stay healthy. At the end the value becomes stack-wide and
 * the pins go. Every step is recorded (state.ts) before the next starts, so an interrupt leaves
 * a state to resume and a failure one to roll back.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ConfigError, namespaceValues } from "../../config/platform";
import { DIGEST_IMAGE, MIN_BAKE_MINUTES, type PinKey, STACK_WIDE } from "../../config/release";
import { readConfigFile, readProjectName } from "../../plan/stackConfig";
import { parseEcrImage } from "../../regions/image";
import { type Stack, parseStack } from "../../stack/parse";
import { type Io, InputError } from "../common";
import { cloudflarePools } from "../pools";
import { cloudWatchAlarms } from "./cloudwatch";
import { credentialSource } from "./credentials";
import { ecrImages } from "./ecr";
import { type Health, type HealthApis, type WatchedCell, cellHealth } from "./health";
import { type PlanResult, planFile } from "./planCheck";
import { runPulumi, targetArgs } from "./pulumiCli";
import { readPins, writePins, writeStackWide } from "./stackFile";
import { type ReleaseState, type WaveRecord, isOpen, readState, writeState } from "./state";
import { type CellTargets, type PlanResources, cellTargets, globalClusterUrn } from "./targets";
import { type Wave, planWaves } from "./waves";

export type ReleaseMode = "dry-run" | "start" | "resume" | "rollback";

export interface ReleaseOptions {
    readonly mode: ReleaseMode;
    /** The project folder (Pulumi.yaml); pulumi runs here. */
    readonly root: string;
    readonly stack: string;
    /** The stack file the release edits. */
    readonly file: string;
    readonly stateFile: string;
    /** What is released (start and dry run). */
    readonly key?: PinKey;
    readonly value?: string;
    /** `--emergency`: every cell in one wave; the reason is recorded. */
    readonly emergencyReason?: string;
    /** Roll back the waves done when one fails, instead of only saying how. */
    readonly autoRollback: boolean;
    readonly pollSeconds: number;
    readonly pulumiTimeoutMinutes: number;
}

export interface ReleaseRuntime {
    readonly io: Io;
    readonly env: NodeJS.ProcessEnv;
    readonly signal: AbortSignal;
    /** @default Cloudflare and CloudWatch from the environment's credentials */
    readonly health?: HealthApis;
    /** @default a timer */
    readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    /** @default Date.now */
    readonly now?: () => number;
    /** @default the plan command in its own process */
    readonly plan?: (file: string, stack: string) => Promise<PlanResult>;
}

/** Exit statuses: 0 released (or rolled back as asked, or planned); 1 stopped by the gate or Pulumi; 2 bad input; 3 failure; 130 interrupted. */
export const RELEASE_EXIT = { ok: 0, stopped: 1, input: 2, failure: 3, interrupted: 130 } as const;

class Interrupted extends Error {}
/** A wave's failure: the release stops here. */
class Stop extends Error {}

const MINUTE = 60_000;

function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done);
    });
}

/** The stack of `file`, parsed as the program would; a config problem is bad input. */
export function stackOf(root: string, file: string, stack: string): Stack {
    const config = readConfigFile(file, readProjectName(root), stack);
    try {
        return parseStack(namespaceValues(config.config), config.config["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError) throw new InputError(`${path.basename(file)}: ${err.message}`);
        throw err;
    }
}

/** `sha256:<hex>` becomes the stack's image repository at that digest; a full `repo@sha256:…` stays. */
export function releaseValue(key: PinKey, text: string, stack: Stack): string {
    if (key !== "image") return text;
    if (/^sha256:[0-9a-f]{64}$/.test(text)) return `${stack.config.app.image.split("@")[0]}@${text}`;
    if (!DIGEST_IMAGE.test(text)) throw new InputError(`--image ${JSON.stringify(text)} is not sha256:<64 hex> nor <repo>@sha256:<64 hex>`);
    return text;
}

export async function runRelease(options: ReleaseOptions, runtime: ReleaseRuntime): Promise<number> {
    const release = new Release(options, runtime);
    return release.run();
}

class Release {
    private readonly io: Io;
    private readonly now: () => number;
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    private readonly plan: (file: string, stack: string) => Promise<PlanResult>;
    private health?: HealthApis;
    private targets = new Map<string, CellTargets>();
    /** The last offline plan's resources (the global cluster's URN for the Aurora engine's end). */
    private lastPlan?: PlanResources;

    constructor(
        private readonly options: ReleaseOptions,
        private readonly runtime: ReleaseRuntime,
    ) {
        this.io = runtime.io;
        this.now = runtime.now ?? Date.now;
        this.sleep = runtime.sleep ?? timerSleep;
        this.plan = runtime.plan ?? planFile;
    }

    private say(text: string): void {
        this.io.out(`${text}\n`);
    }

    async run(): Promise<number> {
        const { mode, stateFile } = this.options;
        const existing = readState(stateFile);
        if (mode === "dry-run" || mode === "start") {
            if (mode === "start" && isOpen(existing)) {
                throw new InputError(
                    `release ${existing!.id} is ${existing!.status} (${stateFile}): finish it with --resume or undo it with --rollback first`,
                );
            }
            const state = this.newState();
            if (mode === "dry-run") return this.dryRun(state);
            this.connect();
            this.record(state, `release ${state.id}: ${state.key} → ${state.value} in ${state.waves.length} wave(s)`);
            return this.proceed(state);
        }
        if (!isOpen(existing))
            throw new InputError(
                `no release under way (${stateFile}${existing ? `: ${existing.id} is ${existing.status}` : " does not exist"})`,
            );
        const open = existing!;
        this.connect();
        if (mode === "rollback") return this.rollBack(open);
        if (open.status === "rollingBack") throw new InputError(`release ${open.id} is being rolled back: run --rollback to finish`);
        this.record(open, `resumed (was ${open.status})`);
        return this.proceed(open);
    }

    /** The release's waves and record, refused if it would start from a state it must not. */
    private newState(): ReleaseState {
        const { key, value: text, file, root, stack } = this.options;
        if (key === undefined || text === undefined)
            throw new InputError("give --image DIGEST, --kubernetes-version X.Y or --aurora-engine-version X.Y");
        const parsed = stackOf(root, file, stack);
        const value = releaseValue(key, text, parsed);
        const regions = parsed.fleet.cells.map((c) => c.region);
        const pins = readPins(file, key, regions);
        const pinned = regions.filter((r) => pins[r] !== undefined);
        if (pinned.length > 0)
            throw new InputError(
                `${pinned.join(", ")} already pin ${key} (a release under way, or left over): finish it, or remove the pins, before starting another`,
            );
        const current = new Set(regions.map((r) => parsed.config.cellReleases[r][key]));
        if (key === "kubernetesVersion") {
            const minor = (v: string) => Number(v.split(".")[1]);
            const behind = [...current].filter((v) => minor(value) !== minor(v) + 1);
            if (behind.length > 0)
                throw new InputError(
                    `--kubernetes-version ${value}: the cells run ${[...current].join(", ")}; EKS updates a control plane one minor up at a time and never down`,
                );
        }
        if (current.size === 1 && current.has(value)) throw new InputError(`every cell already runs ${key} ${value}: nothing to release`);
        const waves = planWaves(parsed, this.options.emergencyReason !== undefined);
        if (key === "auroraEngineVersion") secondariesFirst(waves, value);
        checkStates(root, file, stack, key, value, waves);
        return {
            version: 1,
            id: new Date(this.now())
                .toISOString()
                .replace(/[-:]/g, "")
                .replace(/\.\d+Z$/, "Z"),
            stack,
            key,
            value,
            before: Object.fromEntries(regions.map((r) => [r, pins[r] ?? null])),
            emergencyReason: this.options.emergencyReason,
            status: "running",
            waves: waves.map(toRecord),
            events: [],
        };
    }

    private connect(): void {
        if (this.runtime.health) {
            this.health = this.runtime.health;
            return;
        }
        const { env } = this.runtime;
        const token = env.CLOUDFLARE_API_TOKEN;
        if (!token)
            throw new InputError(
                "the health gate needs CLOUDFLARE_API_TOKEN (Load Balancers: Read, for the pools' health); or run --dry-run",
            );
        // AWS: the environment's keys, else the SDK's default chain (AWS_PROFILE, SSO); a chain
        // that finds nothing fails the first gate with what to set.
        const credentials = credentialSource(env);
        const accountId = stackOf(this.options.root, this.options.file, this.options.stack).config.cloudflare.accountId;
        this.health = {
            pools: cloudflarePools({ token, accountId, baseURL: env.CLOUDFLARE_BASE_URL }),
            alarms: cloudWatchAlarms(credentials, env),
            images: ecrImages(credentials, env),
        };
    }

    private record(state: ReleaseState, message: string): void {
        state.events.push({ at: new Date(this.now()).toISOString(), message });
        writeState(this.options.stateFile, state);
    }

    private checkSignal(): void {
        if (this.runtime.signal.aborted) throw new Interrupted("interrupted");
    }

    /** Plans `file` offline; the targets of its cells; a Stop unless it exits 0. */
    private async planned(file: string, what: string): Promise<Map<string, CellTargets>> {
        const result = await this.plan(file, this.options.stack);
        this.checkSignal();
        if (result.code !== 0 || result.plan === undefined) {
            const violations = result.plan?.policy.violations.filter((v) => v.enforcementLevel !== "advisory").map((v) => v.policy) ?? [];
            throw new Stop(
                `the offline plan of ${what} exits ${result.code}${violations.length ? ` (${[...new Set(violations)].join(", ")})` : ""}${result.stderr ? `: ${result.stderr.split("\n")[0]}` : ""}`,
            );
        }
        this.lastPlan = result.plan;
        return cellTargets(result.plan);
    }

    private watched(codes: readonly string[]): WatchedCell[] {
        const stack = stackOf(this.options.root, this.options.file, this.options.stack);
        return codes.map((code) => {
            const target = this.targets.get(code);
            if (!target) throw new Stop(`cell ${code} is not in the plan`);
            const cell = stack.fleet.cells.find((c) => c.code === code)!;
            return { code, region: cell.region, pool: target.pool, alarms: target.alarms };
        });
    }

    /** The health of `codes`, 5xx judged per request from `since` (ms) to now. */
    private async gate(codes: readonly string[], since: number): Promise<Health> {
        const max5xxPercent = stackOf(this.options.root, this.options.file, this.options.stack).config.release.max5xxPercent;
        const health = await cellHealth(this.watched(codes), this.health!, { start: since, end: this.now(), max5xxPercent });
        this.checkSignal();
        return health;
    }

    /**
     * A new image must be in every region of the wave before the wave sends its cells to pull it
     * (ECR replication copies it to each destination region; a cell pulls from its own region,
     * regions/image.ts): else the new pods would sit in ImagePullBackOff at the canary.
     */
    private async imageReplicated(state: ReleaseState, wave: WaveRecord): Promise<void> {
        if (state.key !== "image") return;
        const image = parseEcrImage(state.value);
        if (!image) return; // Not a private ECR image: nothing of ours replicates it.
        const missing: string[] = [];
        for (const region of wave.regions) {
            try {
                if (!(await this.health!.images.hasImage(region, image))) missing.push(`${region} (not found)`);
            } catch (err) {
                missing.push(`${region} (${(err as Error).message})`);
            }
        }
        this.checkSignal();
        if (missing.length > 0)
            throw new Stop(
                `image ${image.digest} of ${image.repository} is not in ECR in ${missing.join(", ")}: ECR replication has not copied it yet (or the push predates the replication rule: push it again); wait and run --resume`,
            );
        this.say(`  image ${image.digest.slice(0, 19)}… replicated to ${wave.regions.join(", ")}`);
    }

    private async pulumi(args: string[], what: string): Promise<void> {
        this.say(`  $ pulumi ${args.filter((a) => !a.startsWith("urn:")).join(" ")}`);
        const run = await runPulumi(args, {
            cwd: this.options.root,
            env: this.runtime.env,
            timeoutMs: this.options.pulumiTimeoutMinutes * MINUTE,
            signal: this.runtime.signal,
            print: (line) => this.say(line),
        });
        if (run.interrupted) throw new Interrupted(`interrupted during ${what}`);
        if (run.timedOut) throw new Stop(`${what} ran past ${this.options.pulumiTimeoutMinutes} min and was stopped`);
        if (run.code !== 0) throw new Stop(`${what} failed (pulumi exited ${run.code ?? "on a signal"})`);
    }

    private base(): string[] {
        return ["--stack", this.options.stack, "--config-file", this.options.file, "--non-interactive"];
    }

    /** The policy pack, as the README's own preview runs it: every wave's preview and update is judged too. */
    private policy(): string[] {
        return ["--policy-pack", "policy", "--policy-pack-config", path.join("policy", "config", `${this.options.stack}.json`)];
    }

    private async applyCells(state: ReleaseState, wave: WaveRecord, verb: string): Promise<void> {
        const urns = wave.codes.flatMap((code) => this.targets.get(code)?.urns ?? []);
        this.say(
            `  targets: ${urns.length} URNs (${wave.codes.map((c) => this.targets.get(c)?.root).join(", ")} and everything under them)`,
        );
        await this.pulumi(
            ["preview", ...this.base(), ...this.policy(), "--diff", ...targetArgs(urns)],
            `the preview of wave ${wave.index}`,
        );
        await this.pulumi(
            [
                "up",
                ...this.base(),
                ...this.policy(),
                "--yes",
                "--skip-preview",
                "--message",
                `release ${state.id} wave ${wave.index}: ${verb}`,
                ...targetArgs(urns),
            ],
            `the update of wave ${wave.index}`,
        );
    }

    private async proceed(state: ReleaseState): Promise<number> {
        const { file } = this.options;
        try {
            this.targets = await this.planned(file, `${path.basename(file)} as it stands`);
            for (const wave of state.waves) {
                if (wave.status === "done") continue;
                const reached = state.waves.filter((w) => w.index <= wave.index).flatMap((w) => w.codes);
                this.say(`\n[wave ${wave.index}/${state.waves.length}] ${wave.regions.join(", ")}: ${state.key} → ${state.value}`);
                const before = await this.gate(reached, this.now() - wave.bakeMinutes * MINUTE);
                const unjudged = [...before.problems, ...before.pending.map((p) => `${p} (not judged yet)`)];
                if (unjudged.length > 0) throw new Stop(`unhealthy before wave ${wave.index}:\n    - ${unjudged.join("\n    - ")}`);
                this.say(`  health gate: ${reached.join(", ")} healthy`);
                await this.imageReplicated(state, wave);
                wave.status = "applying";
                wave.startedAt = new Date(this.now()).toISOString();
                writePins(file, state.key, Object.fromEntries(wave.regions.map((r) => [r, state.value])));
                this.record(state, `wave ${wave.index}: ${wave.regions.join(", ")} pinned to ${state.value}`);
                this.targets = await this.planned(file, `the state after wave ${wave.index}`);
                this.say(`  offline plan of this state: exit 0`);
                await this.applyCells(state, wave, `${state.key} ${state.value}`);
                wave.status = "baking";
                this.record(state, `wave ${wave.index}: applied; baking ${wave.bakeMinutes} min`);
                await this.bake(wave, reached);
                wave.status = "done";
                wave.endedAt = new Date(this.now()).toISOString();
                this.record(state, `wave ${wave.index}: healthy for ${wave.bakeMinutes} min`);
            }
            const clean = await this.finish(state);
            this.summary(state);
            return clean ? RELEASE_EXIT.ok : RELEASE_EXIT.stopped;
        } catch (err) {
            return this.stopped(state, err);
        }
    }

    /**
     * Every poll: a problem stops the bake at once; what is not judged yet (an alarm in
     * INSUFFICIENT_DATA, no request counted) is waited for, and fails the bake if still so at its end.
     */
    private async bake(wave: WaveRecord, codes: readonly string[]): Promise<void> {
        const start = this.now();
        const end = start + wave.bakeMinutes * MINUTE;
        let checks = 0;
        for (;;) {
            const { problems, pending } = await this.gate(codes, start);
            checks++;
            if (problems.length > 0) throw new Stop(`unhealthy while wave ${wave.index} baked:\n    - ${problems.join("\n    - ")}`);
            const left = end - this.now();
            if (left <= 0) {
                if (pending.length > 0)
                    throw new Stop(
                        `not judged healthy at the end of wave ${wave.index}'s ${wave.bakeMinutes}-min bake:\n    - ${pending.join("\n    - ")}`,
                    );
                break;
            }
            if (pending.length > 0) this.say(`  waiting for data: ${pending.join("; ")}`);
            await this.sleep(Math.min(this.options.pollSeconds * 1000, left), this.runtime.signal);
            this.checkSignal();
        }
        this.say(`  baked ${wave.bakeMinutes} min: ${codes.join(", ")} healthy at each of ${checks} checks`);
    }

    /** Every wave done: the value becomes stack-wide, the pins go, and the whole stack must preview with no change. */
    /** True when the whole stack then previews with no change. */
    private async finish(state: ReleaseState): Promise<boolean> {
        const { file } = this.options;
        const refresh = finalPreviewRefreshes(state.key);
        writeStackWide(file, state.key, state.value, Object.keys(state.before));
        this.say(`\n${STACK_WIDE[state.key]} set to ${state.value}; the cells' ${state.key} pins removed`);
        await this.planned(file, `${path.basename(file)} after the release`);
        state.status = "done";
        this.record(state, `done: ${STACK_WIDE[state.key]} is ${state.value}`);
        if (refresh) {
            // A preview never writes the state (`preview --refresh` included): the refresh that
            // records the global cluster's new version must be its own operation.
            const urn = globalClusterUrn(this.lastPlan!);
            await this.pulumi(
                ["refresh", ...this.base(), "--yes", "--skip-preview", "--target", urn],
                "the refresh of the global cluster (its engine version followed its members)",
            );
        }
        try {
            await this.pulumi(
                ["preview", ...this.base(), ...this.policy(), "--expect-no-changes"],
                "the whole stack's preview (no change expected)",
            );
            return true;
        } catch (err) {
            if (!(err instanceof Stop)) throw err;
            // Every cell runs the new value; what differs was changed outside the release.
            this.record(state, `${err.message}: the stack has changes outside the release; review them and run pulumi up`);
            this.io.err(`release: done, but ${err.message}: the stack has changes outside the release; review them and run pulumi up\n`);
            return false;
        }
    }

    private stopped(state: ReleaseState, err: unknown): Promise<number> | number {
        const wave =
            state.waves.find((w) => w.status !== "done" && w.status !== "pending") ?? state.waves.find((w) => w.status === "pending");
        if (err instanceof Interrupted) {
            state.status = "interrupted";
            this.record(state, `${err.message}${wave ? ` (wave ${wave.index}, ${wave.status})` : ""}`);
            this.io.err(`release: ${err.message}; state saved in ${this.options.stateFile}: npm run release -- --resume (or --rollback)\n`);
            this.summary(state);
            return RELEASE_EXIT.interrupted;
        }
        if (!(err instanceof Stop)) throw err;
        if (wave) {
            wave.status = "failed";
            wave.problem = err.message;
        }
        state.status = "failed";
        this.record(state, `stopped: ${err.message}`);
        this.io.err(`release: stopped: ${err.message}\n`);
        if (this.options.autoRollback) return this.rollBack(state).then((code) => (code === RELEASE_EXIT.ok ? RELEASE_EXIT.stopped : code));
        this.io.err(`release: roll back the waves reached so far with: npm run release -- --stack ${state.stack} --rollback\n`);
        this.summary(state);
        return RELEASE_EXIT.stopped;
    }

    /** Every wave whose cells were pinned, newest first: the pins as they were, applied to those cells. */
    private async rollBack(state: ReleaseState): Promise<number> {
        const { file } = this.options;
        if (state.key === "auroraEngineVersion") {
            // Aurora has no engine downgrade: a member on the new minor goes back only by a restore
            // of a snapshot (or a point in time) into a new cluster, which is no pin change.
            this.io.err(
                `release: an Aurora engine version cannot be rolled back (Aurora never downgrades an engine; going back is a restore from a snapshot or a point in time into a new cluster, docs/database.md): fix forward, or leave the clusters reached on ${state.value} and finish the upgrade when fixed (--resume)\n`,
            );
            this.summary(state);
            return RELEASE_EXIT.failure;
        }
        if (state.key === "kubernetesVersion") {
            // EKS updates a control plane to the next minor only; it never downgrades one.
            this.io.err(
                `release: a Kubernetes minor cannot be rolled back (EKS never downgrades a control plane): fix forward, or leave the cells reached on ${state.value} and release the other cells when fixed (--resume)\n`,
            );
            this.summary(state);
            return RELEASE_EXIT.failure;
        }
        state.status = "rollingBack";
        this.record(state, "rolling back");
        try {
            const pinned = readPins(file, state.key, Object.keys(state.before));
            const undo = [...state.waves]
                .reverse()
                .filter((w) => w.status !== "rolledBack" && w.regions.some((r) => pinned[r] === state.value));
            for (const wave of undo) {
                this.say(
                    `\n[rollback wave ${wave.index}] ${wave.regions.join(", ")}: ${state.key} back to ${wave.regions.map((r) => state.before[r] ?? "the stack-wide value").join(", ")}`,
                );
                writePins(file, state.key, Object.fromEntries(wave.regions.map((r) => [r, state.before[r] ?? undefined])));
                this.targets = await this.planned(file, `the state after rolling back wave ${wave.index}`);
                await this.applyCells(state, wave, `roll back ${state.key}`);
                wave.status = "rolledBack";
                this.record(state, `wave ${wave.index}: rolled back`);
            }
            state.status = "rolledBack";
            this.record(state, "rolled back");
            const codes = undo.flatMap((w) => w.codes);
            if (codes.length > 0) {
                const health = await this.gate(codes, this.now() - MIN_BAKE_MINUTES * MINUTE);
                const after = [...health.problems, ...health.pending];
                this.say(
                    after.length === 0
                        ? `  after the rollback: ${codes.join(", ")} healthy`
                        : `  after the rollback:\n    - ${after.join("\n    - ")}`,
                );
            }
            this.summary(state);
            return RELEASE_EXIT.ok;
        } catch (err) {
            if (err instanceof Interrupted) {
                this.record(state, `rollback ${err.message}`);
                this.io.err(`release: rollback ${err.message}; run --rollback again to finish it\n`);
                return RELEASE_EXIT.interrupted;
            }
            if (!(err instanceof Stop)) throw err;
            this.record(state, `rollback stopped: ${err.message}`);
            this.io.err(`release: rollback stopped: ${err.message}\n`);
            this.summary(state);
            return RELEASE_EXIT.failure;
        }
    }

    private summary(state: ReleaseState): void {
        const rows = state.waves.map(
            (w) =>
                `  wave ${w.index}  ${w.regions.join(", ").padEnd(32)} ${w.status.padEnd(10)} bake ${w.bakeMinutes} min${w.problem ? `  (${w.problem.split("\n")[0]})` : ""}`,
        );
        const emergency = state.emergencyReason === undefined ? [] : [`  EMERGENCY release, every cell at once: ${state.emergencyReason}`];
        this.say(
            `\nRelease ${state.id} of ${state.stack}: ${state.key} → ${state.value}: ${state.status}\n${[...emergency, ...rows].join("\n")}\n  state: ${this.options.stateFile}`,
        );
    }

    /** The waves, their targets and gates, and the offline plan of every state the release passes through; nothing is changed. */
    private async dryRun(state: ReleaseState): Promise<number> {
        const dir = mkdtempSync(path.join(tmpdir(), "release-dry-run-"));
        const copy = path.join(dir, path.basename(this.options.file));
        copyFileSync(this.options.file, copy);
        let failed = 0;
        try {
            this.say(`Dry run: release of ${state.key} ${state.value} to ${state.stack} (${this.options.file} is not changed)`);
            if (state.emergencyReason !== undefined) this.say(`EMERGENCY: every cell at once: ${state.emergencyReason}`);
            for (const wave of state.waves) {
                writePins(copy, state.key, Object.fromEntries(wave.regions.map((r) => [r, state.value])));
                const result = await this.plan(copy, state.stack);
                const targets = result.plan ? cellTargets(result.plan) : new Map<string, CellTargets>();
                if (result.code !== 0) failed++;
                this.say(`\nwave ${wave.index}/${state.waves.length}: ${wave.regions.join(", ")}; bake ${wave.bakeMinutes} min`);
                for (const code of wave.codes) {
                    const t = targets.get(code);
                    this.say(`  ${code}: ${t ? `${t.urns.length} target URNs under ${t.root}` : "not in the plan"}`);
                    if (t)
                        this.say(
                            `    gate: ${t.pool ? `Cloudflare pool ${t.pool} healthy; ` : ""}alarms ${t.alarms.join(", ")} neither in ALARM nor without data; 5xx under ${stackOf(this.options.root, copy, state.stack).config.release.max5xxPercent} % of requests${state.key === "image" ? `; the image in ECR in ${wave.regions[wave.codes.indexOf(code)]} first` : ""}`,
                        );
                }
                this.say(
                    `  offline plan with ${state.waves
                        .slice(0, wave.index)
                        .flatMap((w) => w.regions)
                        .join(
                            ", ",
                        )} on the new ${state.key}: exit ${result.code}${result.code === 0 ? "" : ` ${result.stderr.split("\n")[0]}`}`,
                );
            }
            this.say(
                `\nthen ${STACK_WIDE[state.key]} := ${state.value}, the pins removed, ${finalPreviewRefreshes(state.key) ? "pulumi refresh --target <the global cluster>, " : ""}and pulumi preview --expect-no-changes`,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        return failed === 0 ? RELEASE_EXIT.ok : RELEASE_EXIT.stopped;
    }
}

/**
 * Every state the release passes through must be a valid config (a Kubernetes minor the program
 * pins add-ons for and one minor from the other cells', no third image): refused before the
 * first change, not after it.
 */
function checkStates(root: string, file: string, stack: string, key: PinKey, value: string, waves: readonly Wave[]): void {
    const dir = mkdtempSync(path.join(tmpdir(), "release-check-"));
    const copy = path.join(dir, path.basename(file));
    copyFileSync(file, copy);
    try {
        for (const wave of waves) {
            writePins(copy, key, Object.fromEntries(wave.cells.map((c) => [c.region, value])));
            try {
                stackOf(root, copy, stack);
            } catch (err) {
                if (!(err instanceof InputError)) throw err;
                throw new InputError(`after wave ${wave.index} the stack would be invalid: ${err.message}`);
            }
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * An Aurora minor reaches the secondaries' clusters before the primary's: "upgrade all of the
 * secondary clusters before you upgrade the primary cluster" (Aurora User Guide, Upgrading an
 * Amazon Aurora global database, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/
 * aurora-global-database-upgrade.html); AWS refuses the primary first with InvalidParameterValue
 * "upgrade global replicas first" (terraform-provider-aws internal/service/rds/global_cluster.go,
 * globalClusterUpgradeMinorEngineVersion). A wave with the primary and a secondary updates both
 * at once, in no order, so the primary's wave must come after every secondary's.
 */
export function secondariesFirst(waves: readonly Wave[], value: string): void {
    const primary = waves.find((w) => w.cells.some((c) => c.primary));
    if (primary === undefined) return;
    const late = waves.filter((w) => w.index >= primary.index && w.cells.some((c) => !c.primary));
    if (late.length === 0) return;
    const cells = late.flatMap((w) => w.cells.filter((c) => !c.primary).map((c) => `${c.region} (wave ${w.index})`));
    throw new InputError(
        `--aurora-engine-version ${value}: the primary's wave ${primary.index} does not come after the secondaries ${cells.join(", ")}; AWS upgrades a global database's secondaries before its primary ("upgrade global replicas first"): put the primary alone in the last wave of platform:release.waves${waves.length === 1 ? " (no --emergency)" : ""}`,
    );
}

/**
 * The end of an Aurora minor: the global cluster's EngineVersion followed its members when they
 * were upgraded (terraform-provider-aws internal/service/rds/global_cluster.go re-reads it after
 * globalClusterUpgradeMinorEngineVersion), but Pulumi's state still holds the old one. A targeted
 * `pulumi refresh` records it (a preview never writes the state: pulumi/pulumi#12740), so the new
 * stack-wide value is no change, now and in every later preview, instead of a global upgrade.
 */
function finalPreviewRefreshes(key: PinKey): boolean {
    return key === "auroraEngineVersion";
}

function toRecord(wave: Wave): WaveRecord {
    return {
        index: wave.index,
        regions: wave.cells.map((c) => c.region),
        codes: wave.cells.map((c) => c.code),
        bakeMinutes: wave.bakeMinutes,
        status: "pending",
    };
}

/**
 * Evaluates a Pulumi program (or a single component) on the SDK's mock runtime and
 * records every registration as the engine would see it.
 *
 * This is the one module that touches SDK internals: the mock monitor's
 * `registerResource` and `readResource` requests (parent, provider, protect, ignoreChanges,
 * ...) and the internal `waitForRPCs`. `test/plan/runtime.test.ts` pins that surface so an SDK upgrade
 * that moves it fails loudly there.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "./mocks";

/**
 * The organization the plan evaluates in: "organization", the name a self-managed backend uses
 * (Pulumi docs, "Stack references"); a StackReference names `organization/<project>/<stack>`.
 */
export const PLAN_ORGANIZATION = "organization";

export const SECRET = "[secret]";

/** How the plan JSON shows an input that is unknown during a preview (an output of a resource not created yet). */
export const UNKNOWN = "[unknown]";

/**
 * The value the engine hands a policy for an unknown input: @pulumi/policy's
 * `unknownStringValue` (its `unknownCheckingProxy` throws UnknownValueError on reading it).
 */
export const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent, or null for the stack itself. */
    readonly parent: string | null;
    readonly custom: boolean;
    /** Provider reference (`urn::id`), or null for the default provider / components. */
    readonly provider: string | null;
    readonly protect: boolean;
    /**
     * The mock id the resource was given (shaped like the provider's: `vpc-0a1b…`, an ARN's last
     * part, a Cloudflare hex id); other resources' inputs refer to it. Null for components and, in
     * a preview, for every new resource (the engine has no id for it yet).
     */
    readonly id: string | null;
    readonly retainOnDelete: boolean;
    /** The `import` option: the id of an existing cloud resource the engine adopts instead of creating. Absent when unset. */
    readonly importId?: string;
    readonly ignoreChanges: readonly string[];
    /** Input paths whose change replaces the resource instead of updating it (`replaceOnChanges`). */
    readonly replaceOnChanges?: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly dependencies: readonly string[];
    readonly aliases: readonly string[];
    /** Inputs with every secret replaced by "[secret]" (and, in a preview, every unknown by "[unknown]"). */
    readonly inputs: Record<string, unknown>;
    /**
     * Inputs with secrets in clear, unknowns as the engine's unknown value (ENGINE_UNKNOWN); for
     * the policy pack and for tests that must check a secret's shape. Never printed.
     */
    readonly rawInputs: Record<string, unknown>;
}

/**
 * A resource the program reads instead of managing (`pulumi.StackReference`, a resource `get`
 * by id): the engine's ReadResource. Not in `resources`: it is no part of the plan's managed
 * resources, policies do not see it, and a real preview shows it as a `read` step.
 */
export interface RecordedRead {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The id it is read by (a StackReference's is the stack's fully qualified name). */
    readonly id: string;
    readonly parent: string | null;
    /** Provider reference (`urn::id`), or null for the package's default provider. */
    readonly provider: string | null;
    readonly dependencies: readonly string[];
    /** Inputs with every secret replaced by "[secret]". */
    readonly inputs: Record<string, unknown>;
}

export interface Evaluation {
    readonly project: string;
    readonly stack: string;
    readonly resources: readonly RecordedResource[];
    /** What the program read (StackReferences), by URN. */
    readonly reads: readonly RecordedRead[];
    /** Stack outputs, secrets masked; in a preview, unknown ones are "[unknown]". */
    readonly outputs: Record<string, unknown>;
    /** Evaluated as a first preview. */
    readonly preview: boolean;
}

export interface EvaluateOptions {
    readonly project?: string;
    readonly stack?: string;
    /** Full config keys (`platform:regions`, `aws:region`) to string values (JSON for objects). */
    readonly config?: Readonly<Record<string, string>>;
    /** Config keys whose values are secrets. */
    readonly secretKeys?: readonly string[];
    /**
     * Evaluate as a first `pulumi preview` (the SDK's dry run): every resource is new, so its id
     * and every output beyond its known inputs are unknown. @default false
     */
    readonly preview?: boolean;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): unknown;
    getProtect(): boolean;
    getProvider(): string;
    getRetainondelete(): boolean;
    getImportid(): string;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
    getAliasesList(): { getUrn?(): string; getSpec?(): { getName(): string } | undefined }[];
}

type Callback = (err: unknown, response?: { getUrn(): string; getId(): string }) => void;

interface ReadRequest {
    getType(): string;
    getName(): string;
    getId(): string;
    getParent(): string;
    getProvider(): string;
    getProperties(): unknown;
    getDependenciesList(): string[];
}

type ReadCallback = (err: unknown, response?: { getUrn(): string }) => void;

interface MockMonitorSurface {
    registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
    readResource(req: ReadRequest, callback: ReadCallback): Promise<void>;
}

const internals = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };

/** The SDK's promise tracker; its callers look it up on this module object at each call. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx?: unknown) => Promise<T>;
};

let running = false;

/**
 * Runs `program` inside a fresh mock stack and returns every resource it registered.
 * Fails when any registration or mock call failed, instead of silently dropping the
 * resources that depended on it (the mock runtime only reports those as unhandled
 * rejections).
 */
export async function evaluate(options: EvaluateOptions, program: () => unknown): Promise<Evaluation> {
    if (running) throw new Error("evaluate() is not re-entrant: the Pulumi runtime is process-global");
    running = true;
    const project = options.project ?? "platform";
    const stack = options.stack ?? "test";
    const config = options.config ?? {};
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // The SDK captures a stack trace for every promise it tracks (debuggablePromise); under
    // the mock runtime that is most of the cost of a plan. PLAN_STACK_TRACES=1 keeps them.
    // Every Resource constructor also captures the whole stack (Error.stackTraceLimit set to
    // Infinity) and parses it into source positions for the engine's diagnostics, which the
    // mock monitor ignores; skipping it more than halves the cost of a large plan.
    // The SDK also tags every promise it tracks (a stack trace, ids, a leak-candidate set)
    // for its exit-time leak report, which a plan never prints: tracking is skipped too.
    const stackTraceLimit = Error.stackTraceLimit;
    const resourceInternals = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
    const stackTrace = resourceInternals.stackTrace;
    const tracking = debuggable.debuggablePromise;
    if (!process.env.PLAN_STACK_TRACES) {
        Error.stackTraceLimit = 0;
        resourceInternals.stackTrace = () => [];
        debuggable.debuggablePromise = (p) => p;
    }
    try {
        const region = config["aws:region"] ?? "us-east-1";
        const preview = options.preview ?? false;
        const mocks = new PlanMocks(region, preview);
        await pulumi.runtime.setMocks(mocks, project, stack, preview, PLAN_ORGANIZATION);
        pulumi.runtime.setAllConfig({ ...config }, [...(options.secretKeys ?? [])]);
        const recorded: RecordedResource[] = [];
        const pending: Promise<void>[] = [];
        const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorSurface;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            // The engine makes these outputs secret (RandomPassword's result, …); the mock monitor
            // does not, so the mocks are told, and inputs built from them stay "[secret]" in the plan.
            mocks.secretOutputs(req.getType(), req.getName(), req.getAdditionalsecretoutputsList());
            return register(req, (err, response) => {
                if (!err && response) pending.push(record(req, response.getUrn(), response.getId()).then((r) => void recorded.push(r)));
                callback(err, response);
            });
        };
        const reads: RecordedRead[] = [];
        const read = monitor.readResource.bind(monitor);
        monitor.readResource = (req, callback) =>
            read(req, (err, response) => {
                if (!err && response) reads.push(recordRead(req, response.getUrn()));
                callback(err, response);
            });

        // Keep the program's own exports: the stack resource flattens Outputs and drops secrecy.
        let stackOutputs: unknown;
        try {
            await pulumi.runtime.runInPulumiStack(async () => (stackOutputs = await program()));
        } catch (err) {
            failures.push(err);
        }
        await settle();
        await Promise.all(pending);
        if (failures.length > 0) throw new EvaluationError(failures);
        const byUrn = (a: { urn: string }, b: { urn: string }) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);
        const engine = withEngineUrns(recorded, reads, project, stack);
        return {
            project,
            stack,
            resources: engine.resources.sort(byUrn),
            reads: engine.reads.sort(byUrn),
            outputs: mask(await unwrapOutputs(stackOutputs)) as Record<string, unknown>,
            preview,
        };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        resourceInternals.stackTrace = stackTrace;
        debuggable.debuggablePromise = tracking;
        process.off("unhandledRejection", onRejection);
        running = false;
    }
}

/**
 * Waits until no RPC is in flight and a full turn of the event loop brings no new one. A
 * registration whose inputs fail to serialize ends its RPC first and rejects a moment
 * later: waiting for the RPC queue alone would return before that rejection is seen.
 */
async function settle(): Promise<void> {
    await internals.waitForRPCs();
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    await internals.waitForRPCs();
}

/**
 * Rewrites URNs as the engine forms them. The mock monitor prefixes only the immediate
 * parent's type; the engine prefixes the parent's whole type chain, minus the root stack:
 * `urn:pulumi:prod::platform::platform:cell:RegionalCell$platform:cell:Network$aws:ec2/vpc:Vpc::use1-net-vpc`.
 * URNs are what `pulumi up` diffs by, so the plan (and every pinned URN) uses the real form.
 */
function withEngineUrns(
    recorded: readonly RecordedResource[],
    reads: readonly RecordedRead[],
    project: string,
    stack: string,
): { resources: RecordedResource[]; reads: RecordedRead[] } {
    const byMockUrn = new Map<string, { urn: string; type: string; name: string; parent: string | null }>(
        [...recorded, ...reads].map((r) => [r.urn, r]),
    );
    const real = new Map<string, string>();
    const qualifiedType = (urn: string) => urn.split("::")[2];
    const resolve = (mockUrn: string): string => {
        const known = real.get(mockUrn);
        if (known) return known;
        const r = byMockUrn.get(mockUrn);
        if (!r) return mockUrn;
        const parent = r.parent ? byMockUrn.get(r.parent) : undefined;
        const urn = !parent
            ? r.urn
            : parent.type === "pulumi:pulumi:Stack"
              ? `urn:pulumi:${stack}::${project}::${r.type}::${r.name}`
              : `urn:pulumi:${stack}::${project}::${qualifiedType(resolve(parent.urn))}$${r.type}::${r.name}`;
        real.set(mockUrn, urn);
        return urn;
    };
    const providerRef = (ref: string | null) => {
        if (ref === null) return null;
        const cut = ref.lastIndexOf("::");
        return `${resolve(ref.slice(0, cut))}${ref.slice(cut)}`;
    };
    const rewritten = <T extends RecordedResource | RecordedRead>(r: T): T => ({
        ...r,
        urn: resolve(r.urn),
        parent: r.parent === null ? null : resolve(r.parent),
        provider: providerRef(r.provider),
        dependencies: r.dependencies.map(resolve),
    });
    return { resources: recorded.map(rewritten), reads: reads.map(rewritten) };
}

/** Every failure of one evaluation, kept whole so that the first cause is visible. */
export class EvaluationError extends Error {
    constructor(readonly failures: readonly unknown[]) {
        super(`the program failed under the mock runtime:\n${[...new Set(failures.map(describe))].map((f) => `- ${f}`).join("\n")}`);
        this.name = "EvaluationError";
    }
}

function describe(failure: unknown): string {
    if (failure instanceof Error) {
        const details = (failure as Error & { details?: string }).details;
        return details && !failure.message.includes(details) ? `${failure.message} (${details})` : failure.message;
    }
    return String(failure);
}

async function record(req: RegisterRequest, urn: string, id: string): Promise<RecordedResource> {
    const rawInputs = await plainAssets(pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>);
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || null,
        custom: req.getCustom(),
        provider: req.getProvider() || null,
        protect: req.getProtect(),
        id: req.getCustom() && id !== "" ? id : null,
        retainOnDelete: req.getRetainondelete(),
        ...(req.getImportid() ? { importId: req.getImportid() } : {}),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: req.getDependenciesList(),
        aliases: req
            .getAliasesList()
            .map((a) => a.getUrn?.() || a.getSpec?.()?.getName() || "")
            .filter((a) => a !== ""),
        inputs: mask(rawInputs) as Record<string, unknown>,
        rawInputs: unwrapSecrets(rawInputs) as Record<string, unknown>,
    };
}

function recordRead(req: ReadRequest, urn: string): RecordedRead {
    const inputs = pulumi.runtime.deserializeProperties(req.getProperties() as never) as Record<string, unknown>;
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        id: req.getId(),
        parent: req.getParent() || null,
        provider: req.getProvider() || null,
        dependencies: req.getDependenciesList(),
        inputs: mask(inputs) as Record<string, unknown>,
    };
}

/**
 * Top-level asset and archive inputs (a function's code) as plain, comparable values: each
 * asset by the SHA-256 of its text, or its path or URI. Deserialized, they hold promises,
 * which never compare equal and print as `{}`.
 */
async function plainAssets(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(inputs)) {
        if (typeof v !== "object" || v === null || !("__pulumiArchive" in v || "__pulumiAsset" in v)) continue;
        (copy ??= { ...inputs })[k] = await plainAsset(v as Record<string, unknown>);
    }
    return copy ?? inputs;
}

async function plainAsset(value: Record<string, unknown>): Promise<unknown> {
    if ("__pulumiArchive" in value) {
        const assets = (await value.assets) as Record<string, Record<string, unknown>> | undefined;
        if (assets === undefined) return { archive: (await value.path) ?? (await value.uri) ?? null };
        const entries = await Promise.all(Object.entries(assets).map(async ([name, a]) => [name, await plainAsset(a)] as const));
        return { archive: Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b))) };
    }
    const text = (await value.text) as string | undefined;
    if (text !== undefined) return { sha256: createHash("sha256").update(text).digest("hex") };
    return { asset: (await value.path) ?? (await value.uri) ?? null };
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** Replaces every secret with "[secret]" (and every unknown with "[unknown]"), at any depth; a part without either is returned as is. */
export function mask(value: unknown): unknown {
    return rewrite(value, () => SECRET, UNKNOWN);
}

function unwrapSecrets(value: unknown): unknown {
    return rewrite(value, (secret) => unwrapSecrets(secret.value), ENGINE_UNKNOWN);
}

/**
 * Copies only the path to each secret wrapper, replaced by `onSecret`; everything else is
 * shared with `value` (most resources have no secret, and a plan holds thousands of inputs).
 */
function rewrite(value: unknown, onSecret: (secret: { value: unknown }) => unknown, unknown: string): unknown {
    if (isSecretWrapper(value)) return onSecret(value);
    if (pulumi.isUnknown(value)) return unknown;
    if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        value.forEach((item, i) => {
            const next = rewrite(item, onSecret, unknown);
            if (next !== item) (copy ??= [...value])[i] = next;
        });
        return copy ?? value;
    }
    if (typeof value === "object" && value !== null) {
        let copy: Record<string, unknown> | undefined;
        for (const [k, v] of Object.entries(value)) {
            const next = rewrite(v, onSecret, unknown);
            if (next !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = next;
        }
        return copy ?? value;
    }
    return value;
}

/** Stack outputs as plain values, secrets kept as wrappers so `mask` can hide them. */
async function unwrapOutputs(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        // In a preview an unknown Output never runs its apply callbacks: it is shown as unknown.
        if (!(await (value as unknown as { isKnown: Promise<boolean> }).isKnown)) return UNKNOWN;
        const secret = await pulumi.isSecret(value as pulumi.Output<unknown>);
        const inner = await unwrapOutputs(await promiseOf(value as pulumi.Output<unknown>));
        return secret ? { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: inner } : inner;
    }
    if (pulumi.Resource.isInstance(value)) return { urn: await promiseOf(value.urn) };
    if (Array.isArray(value)) return Promise.all(value.map(unwrapOutputs));
    if (typeof value === "object" && value !== null) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await unwrapOutputs(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** The value of an Output (for tests and the plan); never call it inside a program. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

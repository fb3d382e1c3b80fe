/**
 * The offline plan in the shape of `pulumi preview --json`, for tools written for real previews
 * (cost estimators, policy tooling). The shape is the Pulumi CLI's PreviewDigest
 * (pulumi/pulumi pkg/backend/display/json.go, `previewDigest`; sdk/go/common/display/json.go
 * `PreviewDigest` / `PreviewStep`; the new state is an `apitype.ResourceV3`): `config` with
 * secrets blinded, `steps` with `op`, `urn`, `provider` and `newState` (`urn`, `custom`, `type`,
 * `inputs`, `parent`, `protect`, `dependencies`, `provider`, `retainOnDelete`,
 * `ignoreChanges`), and `changeSummary` (count per op).
 *
 * Every step is a `create`: the plan is a first preview of the stack, with no state to diff
 * against. As in a real first preview, `newState` carries no `id` (nothing exists yet); where a
 * real preview shows an unknown for an input that refers to another resource, this one shows
 * that resource's mock id (the plan JSON's `id`), so references can still be followed.
 */
import { createRequire } from "node:module";
import { ENGINE_UNKNOWN, type RecordedResource, SECRET, UNKNOWN } from "./runtime";
import { type StackConfig } from "./stackConfig";

export interface PreviewResourceV3 {
    readonly urn: string;
    readonly custom: boolean;
    readonly type: string;
    readonly inputs: Record<string, unknown>;
    readonly parent?: string;
    readonly protect?: boolean;
    readonly dependencies?: string[];
    readonly provider?: string;
    readonly retainOnDelete?: boolean;
    readonly ignoreChanges?: string[];
}

export interface PreviewStep {
    readonly op: "create";
    readonly urn: string;
    readonly provider?: string;
    readonly newState: PreviewResourceV3;
    /** Not omitempty in the CLI's PreviewStep: null when the step has no per-property diff (a create). */
    readonly detailedDiff: null;
}

export interface PreviewDigest {
    readonly config: Record<string, string>;
    readonly steps: PreviewStep[];
    readonly changeSummary: Record<string, number>;
}

/** The steps with every parent before its children (by ancestor count, then URN), as the engine registers them. */
export function previewDigest(stack: Pick<StackConfig, "config" | "secretKeys">, resources: readonly RecordedResource[]): PreviewDigest {
    const secret = new Set(stack.secretKeys);
    const config = Object.fromEntries(
        Object.entries(stack.config)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, secret.has(k) ? SECRET : v]),
    );
    const parents = new Map(resources.map((r) => [r.urn, r.parent]));
    const depth = (r: RecordedResource) => {
        let n = 0;
        for (let p = r.parent; p !== null; p = parents.get(p) ?? null) n++;
        return n;
    };
    const ordered = [...resources].sort((a, b) => depth(a) - depth(b) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    const steps = ordered.map((r): PreviewStep => {
        // omitempty fields are left out when empty, as the CLI's JSON encoder does.
        const newState: PreviewResourceV3 = {
            urn: r.urn,
            custom: r.custom,
            type: r.type,
            // A value unknown in a preview is the engine's placeholder in the CLI's JSON
            // (computedValuePlaceholder, pkg/resource/stack/deployment.go), not the plan's "[unknown]".
            inputs: withEngineUnknowns(r.inputs) as Record<string, unknown>,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.protect ? { protect: true } : {}),
            ...(r.dependencies.length > 0 ? { dependencies: [...r.dependencies] } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(r.ignoreChanges.length > 0 ? { ignoreChanges: [...r.ignoreChanges] } : {}),
        };
        return { op: "create", urn: r.urn, ...(r.provider ? { provider: r.provider } : {}), newState, detailedDiff: null };
    });
    const withDefaults = withDefaultProviders(steps);
    return { config, steps: withDefaults, changeSummary: { create: withDefaults.length } };
}

/** `value` with every UNKNOWN replaced by the engine's placeholder. */
function withEngineUnknowns(value: unknown): unknown {
    if (value === UNKNOWN) return ENGINE_UNKNOWN;
    if (Array.isArray(value)) return value.map(withEngineUnknowns);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEngineUnknowns(v)]));
    return value;
}

const requireHere = createRequire(__filename);

/**
 * A resource declared without a provider gets its package's default provider, which a real
 * preview shows as a step of its own (`pulumi:providers:<pkg>::default_<version>`, the version
 * with underscores) and names in the resource's `provider` as `<urn>::<id>`, the id unknown while
 * the provider is new (pulumi/pulumi pkg/resource/deploy/providers, defaultProviderName). The
 * offline plan records no such registration, so they are added here, right after the stack.
 */
function withDefaultProviders(steps: PreviewStep[]): PreviewStep[] {
    const stack = steps.find((s) => s.newState.type === "pulumi:pulumi:Stack");
    if (!stack) return steps;
    const prefix = stack.urn.slice(0, stack.urn.indexOf("::", stack.urn.indexOf("::") + 2) + 2);
    const providers = new Map<string, PreviewStep>();
    const out = steps.map((step) => {
        const pkg = step.newState.type.split(":")[0];
        if (!step.newState.custom || step.provider || pkg === "pulumi") return step;
        let provider = providers.get(pkg);
        if (!provider) {
            const version = (requireHere(`@pulumi/${pkg}/package.json`) as { version: string }).version;
            const urn = `${prefix}pulumi:providers:${pkg}::default_${version.replace(/\./g, "_")}`;
            provider = {
                op: "create",
                urn,
                newState: { urn, custom: true, type: `pulumi:providers:${pkg}`, inputs: { version } },
                detailedDiff: null,
            };
            providers.set(pkg, provider);
        }
        const ref = `${provider.urn}::${ENGINE_UNKNOWN}`;
        return { ...step, provider: ref, newState: { ...step.newState, provider: ref } };
    });
    const at = out.indexOf(stack) + 1;
    return [...out.slice(0, at), ...providers.values(), ...out.slice(at)];
}

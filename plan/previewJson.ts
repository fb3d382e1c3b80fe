/**
 * The offline plan in the shape of `pulumi preview --json`, for tools written for real previews
 * (cost estimators, policy tooling). The shape is the Pulumi CLI's PreviewDigest
 * (pulumi/pulumi pkg/backend/display/json.go, `ShowPreviewDigest`; pkg/display/json.go
 * `PreviewDigest` / `PreviewStep`; the new state is an `apitype.ResourceV3`,
 * sdk/go/common/apitype/core.go): `config` with secrets blinded, `steps` with `op`, `urn`,
 * `provider` and `newState` (`urn`, `custom`, `id`, `type`, `inputs`, `parent`, `protect`,
 * `external`, `dependencies`, `provider`, `retainOnDelete`, `ignoreChanges`,
 * `replaceOnChanges`, `importID`; the omitempty ones only when set), and `changeSummary`
 * (count per op). Not written: `propertyDependencies`, `sourcePosition`, `stackTrace`,
 * `aliases`, `customTimeouts` (omitempty fields a real new state also carries) and the
 * top-level `duration` (a real preview's wall time; an offline plan has none to report).
 *
 * The plan is a first preview of the stack, with no state to diff against: every managed
 * resource is a `create`, except one registered with an id (`import`: a region's retained backup
 * vault, adopted), and every resource the program reads (a `pulumi.StackReference`) a `read`. As in a real first preview, a create's `newState` carries no `id` (nothing exists
 * yet); where a real preview shows an unknown for an input that refers to another resource,
 * this one shows that resource's mock id (the plan JSON's `id`), so references can still be
 * followed.
 *
 * Checked against pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (2026-08-21):
 * - a read step (deploy.OpRead, "read"; stepGenerator.GenerateReadSteps) has a new state with
 *   the id it is read by, `custom` and `external` true, the read's inputs, its parent, and the
 *   provider that reads it; the digest serializes it at the step's ResourcePreEvent, before the
 *   read ran, so with no outputs (`outputs` is omitempty). A StackReference has no provider of
 *   its own: the engine gives it the builtin package's default provider,
 *   `pulumi:providers:pulumi::default` (the Node SDK sends no version for it, so no
 *   `_<version>` suffix: ProviderRequest.DefaultName).
 * - default provider steps are internal (engine isInternalStep / isDefaultProviderStep), and
 *   display.ShowEvents drops internal events before ShowPreviewDigest: a real preview's JSON has
 *   no step for them, only the `provider` reference (`<urn>::<id>`, the id unknown while the
 *   provider is new, providers.UnknownID) of each resource that uses one.
 * - changeSummary counts a logical step unless internal; a read counts only when it changed
 *   outputs it had in the old state (shouldRecordReadStep), never in a first preview.
 */
import { createRequire } from "node:module";
import { ENGINE_UNKNOWN, type Evaluation, type RecordedRead, type RecordedResource, SECRET, UNKNOWN } from "./runtime";
import { type StackConfig } from "./stackConfig";

export interface PreviewResourceV3 {
    readonly urn: string;
    readonly custom: boolean;
    /** Only on a read: the id it is read by. */
    readonly id?: string;
    readonly type: string;
    /** omitempty: absent when there are none (a component, the root stack). */
    readonly inputs?: Record<string, unknown>;
    readonly parent?: string;
    readonly protect?: boolean;
    /** Only on a read: the resource is not managed by this stack. */
    readonly external?: boolean;
    readonly dependencies?: string[];
    readonly provider?: string;
    readonly retainOnDelete?: boolean;
    readonly ignoreChanges?: string[];
    readonly replaceOnChanges?: string[];
    /** Only on an import: the id the resource is adopted by (the engine's `ImportID: goal.ID`). */
    readonly importID?: string;
}

export interface PreviewStep {
    readonly op: "create" | "import" | "read";
    readonly urn: string;
    readonly provider?: string;
    readonly newState: PreviewResourceV3;
    /** Not omitempty in the CLI's PreviewStep: null when the step has no per-property diff (a create, a read). */
    readonly detailedDiff: null;
}

export interface PreviewDigest {
    readonly config: Record<string, string>;
    readonly steps: PreviewStep[];
    readonly changeSummary: Record<string, number>;
}

/** The steps with every parent before its children (by ancestor count, then URN; the engine emits them in registration order, which an offline plan does not reproduce). */
export function previewDigest(
    stack: Pick<StackConfig, "config" | "secretKeys">,
    evaluation: Pick<Evaluation, "resources" | "reads">,
): PreviewDigest {
    const secret = new Set(stack.secretKeys);
    const config = Object.fromEntries(
        Object.entries(stack.config)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, secret.has(k) ? SECRET : v]),
    );
    const { resources, reads } = evaluation;
    const parents = new Map(resources.map((r) => [r.urn, r.parent]));
    const depth = (r: RecordedResource | RecordedRead) => {
        let n = 0;
        for (let p = r.parent; p !== null; p = parents.get(p) ?? null) n++;
        return n;
    };
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
    const provider = defaultProviderRefs(stackUrn);
    const entries = [...resources.map((r) => ({ r, read: false })), ...reads.map((r) => ({ r, read: true }))];
    entries.sort((a, b) => depth(a.r) - depth(b.r) || (a.r.urn < b.r.urn ? -1 : a.r.urn > b.r.urn ? 1 : 0));
    const steps = entries.map(({ r, read }): PreviewStep => {
        const ref = r.provider ?? (read || (r as RecordedResource).custom ? provider(r.type, read) : null);
        // omitempty fields are left out when empty, as the CLI's JSON encoder does.
        const newState: PreviewResourceV3 = read
            ? {
                  urn: r.urn,
                  custom: true,
                  id: (r as RecordedRead).id,
                  type: r.type,
                  ...inputsOf(r.inputs),
                  ...(r.parent ? { parent: r.parent } : {}),
                  external: true,
                  ...(r.dependencies.length > 0 ? { dependencies: [...r.dependencies] } : {}),
                  ...(ref ? { provider: ref } : {}),
              }
            : created(r as RecordedResource, ref);
        // A custom resource registered with an id is adopted: an import step (step_generator.go isImport, NewImportStep).
        const op = read ? "read" : (r as RecordedResource).importId ? "import" : "create";
        return { op, urn: r.urn, ...(ref ? { provider: ref } : {}), newState, detailedDiff: null };
    });
    // A first preview's reads and its default providers' steps are not counted (see above).
    const changeSummary: Record<string, number> = {};
    for (const s of steps) if (s.op !== "read") changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
    return { config, steps, changeSummary };
}

function created(r: RecordedResource, provider: string | null): PreviewResourceV3 {
    return {
        urn: r.urn,
        custom: r.custom,
        type: r.type,
        // A value unknown in a preview is the engine's placeholder in the CLI's JSON
        // (computedValuePlaceholder, pkg/resource/stack/deployment.go), not the plan's "[unknown]".
        ...inputsOf(r.inputs),
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.protect ? { protect: true } : {}),
        ...(r.dependencies.length > 0 ? { dependencies: [...r.dependencies] } : {}),
        ...(provider ? { provider } : {}),
        ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
        ...(r.ignoreChanges.length > 0 ? { ignoreChanges: [...r.ignoreChanges] } : {}),
        ...(r.replaceOnChanges && r.replaceOnChanges.length > 0 ? { replaceOnChanges: [...r.replaceOnChanges] } : {}),
        ...(r.importId ? { importID: r.importId } : {}),
    };
}

/** `inputs`, omitted when empty (omitempty, as a component's or the root stack's new state). */
function inputsOf(inputs: Record<string, unknown>): { inputs?: Record<string, unknown> } {
    return Object.keys(inputs).length > 0 ? { inputs: withEngineUnknowns(inputs) as Record<string, unknown> } : {};
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
 * The reference to the default provider of a resource declared without a provider, as a real
 * preview names it: `pulumi:providers:<pkg>::default_<version>` (the version with underscores;
 * the SDK sends its package's version), or `::default` for the builtin `pulumi` package, whose
 * reads carry no version; then `::<id>`, unknown while the provider is new (pulumi/pulumi
 * pkg/resource/deploy/providers, ProviderRequest.DefaultName, Registry.Create).
 */
function defaultProviderRefs(stackUrn: string | undefined): (type: string, read: boolean) => string | null {
    if (!stackUrn) return () => null;
    const prefix = stackUrn.slice(0, stackUrn.indexOf("::", stackUrn.indexOf("::") + 2) + 2);
    return (type, read) => {
        const pkg = type.split(":")[0];
        if (pkg === "pulumi" && !read) return null;
        const version = pkg === "pulumi" ? undefined : (requireHere(`@pulumi/${pkg}/package.json`) as { version: string }).version;
        const name = version === undefined ? "default" : `default_${version.replace(/\./g, "_")}`;
        return `${prefix}pulumi:providers:${pkg}::${name}::${ENGINE_UNKNOWN}`;
    };
}

/**
 * Helm releases (`kubernetes:helm.sh/v3:Release`) under the pack's Kubernetes rules, through each
 * chart's known workloads: the Helm provider renders a release's pods itself, so no container spec
 * reaches the engine; what does is the release's chart, version and `values`. CHARTS
 * (helmCharts.ts) says, per pinned chart and version, which workloads the chart renders and, read
 * from that chart version's own values.yaml and templates (and, for the pods prometheus-operator
 * generates, the operator's source), how each one is sized, secured, probed and imaged: the values
 * paths, the chart's defaults at them, and what the template (or the operator) writes whatever the
 * values. Each rule
 * merges the release's values onto the chart's defaults as Helm does (a release's key wins, `null`
 * deletes a default, and a `null` part-way along a path the whole subtree) and judges every workload the chart renders with them (`renderedWhen`):
 *
 * - `k8s-helm-resources` holds each to `k8s-resources` (requests cpu + memory, a memory limit). A
 *   release of a chart or version not in CHARTS is its finding, so a bump cannot bypass the rules,
 *   and so is a release that adds a container through values the entry does not model
 *   (`addsContainers`: `extraContainers`, a sidecar flag, a kube-rbac-proxy), which no Helm rule
 *   would otherwise judge (the other Helm rules leave both findings to it rather than repeat them).
 * - `k8s-helm-pod-security-restricted` holds each container to `k8s-pod-security-restricted`
 *   (`restrictedFindings`, policy/kubernetes.ts) on its pod's and its own merged securityContext,
 *   the template's or operator's fixed fields over them. A workload that cannot meet a field by
 *   its nature carries an exemption in the table naming the fields, why, and the source; the rule
 *   waives exactly those and reports the rest (policy/README.md lists the exemptions). Host
 *   namespaces and hostPath volumes are not judged, here as for our own workloads; the table
 *   records where a chart uses them (`hostAccess`).
 * - `k8s-helm-probes` holds each serving container to `k8s-probes` (a readiness and a liveness
 *   probe): hard-coded by the template or operator, values-driven with the chart's default, or
 *   absent. Jobs serve nothing and are skipped, said so in the table; an exemption is reasoned there.
 * - `k8s-helm-image-digest`, ADVISORY (severity medium): every chart image pinned by digest as
 *   `k8s-image-digest` asks. The charts reference their images by tag (Karpenter's alone ships a
 *   digest, stamped at release), and no registry is reachable offline to read digests from, so
 *   none is invented here: a mandatory rule would fail every plan until someone resolves them.
 *   One finding per release names each tag-only image and the values path that takes its digest
 *   (or, for a chart with no digest key, the tag to write as `<tag>@sha256:<digest>`); a stack
 *   raises the rule to mandatory in its pack config once its images are pinned (policy/README.md,
 *   "Chart images"). It still fails: a digest deleted or malformed, a chart's shipped one dropped.
 *
 * Each rule decides on known values: an unknown value (a preview) is replaced by the most
 * favourable one (RESTRICTED_COMPLIANT for a security context, rendered for a probe, a digest for
 * an image), so a violation that remains is reported whatever the unknown turns out to be, and a
 * rule that found none beside an unknown is undecided.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Props, type ResourceRule, isUnknown, platform, resourcePolicy, undecided } from "./common";
import {
    type AddedContainers,
    type ChartEntry,
    type ChartImage,
    type ChartWorkload,
    type ContextSource,
    type ProbeSource,
    type RenderedWhen,
    chartEntry,
} from "./helmCharts";
import {
    IMAGE_DIGEST,
    KUBERNETES_TYPES,
    REQUIRED_PROBES,
    RESTRICTED_COMPLIANT,
    requiredResourceFields,
    restrictedFindings,
} from "./kubernetes";

const UNKNOWN = Symbol("unknown");
type Lookup = { readonly value: unknown } | typeof UNKNOWN;

function isMap(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isUnknown(value);
}

/**
 * The value at `path` as Helm coalesces the release's values onto the chart's defaults: the
 * release's key wins where present (null deletes the default), else the default's. UNKNOWN when
 * a value on the way is unknown during preview.
 */
export function valueAt(values: unknown, defaults: unknown, path: readonly string[]): Lookup {
    let given: unknown = values;
    let fallback: unknown = defaults;
    for (const key of path) {
        if (isUnknown(given)) return UNKNOWN;
        const givenObject = isMap(given) ? given : undefined;
        const fallbackObject = isMap(fallback) ? fallback : undefined;
        if (givenObject !== undefined && Object.prototype.hasOwnProperty.call(givenObject, key) && givenObject[key] !== undefined) {
            if (givenObject[key] === null) return { value: undefined };
            given = givenObject[key];
            fallback = fallbackObject?.[key];
        } else {
            given = undefined;
            fallback = fallbackObject?.[key];
        }
    }
    if (isUnknown(given)) return UNKNOWN;
    return { value: given ?? fallback };
}

/**
 * Helm's coalesce of a release's value onto the chart's default: maps merge key by key (the
 * release's key wins, null deletes the default's), anything else replaces the default; an unknown
 * value (preview) stays in place, unknown.
 */
export function coalesce(values: unknown, defaults: unknown): unknown {
    if (values === undefined) return defaults;
    if (values === null) return undefined;
    if (!isMap(values) || !isMap(defaults)) return values;
    const merged: Props = {};
    for (const key of new Set([...Object.keys(defaults), ...Object.keys(values)])) {
        const value = coalesce(values[key], defaults[key]);
        if (value !== undefined) merged[key] = value;
    }
    return merged;
}

/**
 * The release's own value at `path` (no defaults), UNKNOWN under an unknown value. null stays null
 * (it deletes a default), and so does a null part-way along the path: Helm deletes that whole
 * subtree, defaults included (as `valueAt` reads it).
 */
export function releaseValue(values: unknown, path: string): Lookup {
    let node = values;
    for (const key of path.split(".")) {
        if (isUnknown(node)) return UNKNOWN;
        if (node === null) return { value: null };
        node = isMap(node) ? node[key] : undefined;
    }
    return isUnknown(node) ? UNKNOWN : { value: node };
}

/** Go template truth (`if`, `with`): false, 0, "", null and empty maps and lists are false. */
function helmTrue(value: unknown): boolean {
    if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (isMap(value)) return Object.keys(value).length > 0;
    return true;
}

/** Whether a condition holds under the release's values (the chart's default when unset), or UNKNOWN. */
export function holds(values: unknown, condition: RenderedWhen): boolean | typeof UNKNOWN {
    const read = releaseValue(values, condition.path);
    if (read === UNKNOWN) return UNKNOWN;
    if ("equals" in condition) return (read.value === undefined ? condition.byDefault : read.value) === condition.equals;
    if (condition.dependency) return (typeof read.value === "boolean" ? read.value : condition.byDefault) === (condition.when ?? true);
    const on = read.value === undefined ? condition.byDefault : helmTrue(read.value);
    return on === (condition.when ?? true);
}

/** Whether every condition holds, or UNKNOWN (after `undecided`) when none fails and one is unknown. */
function allHold(values: unknown, conditions: readonly RenderedWhen[]): boolean | typeof UNKNOWN {
    let unknownPath: string | undefined;
    for (const condition of conditions) {
        const on = holds(values, condition);
        if (on === UNKNOWN) unknownPath ??= condition.path;
        else if (!on) return false;
    }
    if (unknownPath === undefined) return true;
    undecided(unknownPath);
    return UNKNOWN;
}

/** The pods of a row the chart renders with these values (a pod with an unknown condition is left out, after `undecided`). */
function renderedPods(values: unknown, workload: ChartWorkload): ChartWorkload["security"]["pods"] {
    return workload.security.pods.filter((pod) => allHold(values, pod.renderedWhen ?? []) === true);
}

/** Whether the chart renders the workload with these values, in at least one of its pods, or UNKNOWN (after `undecided`). */
export function rendered(values: unknown, workload: ChartWorkload): boolean | typeof UNKNOWN {
    const on = allHold(values, workload.renderedWhen ?? []);
    if (on !== true) return on;
    let unknown = false;
    for (const pod of workload.security.pods) {
        const podOn = allHold(values, pod.renderedWhen ?? []);
        if (podOn === true) return true;
        if (podOn === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : false;
}

/**
 * The values paths of the release that add a container the chart's entry does not model
 * (`AddedContainers`, each whose conditions all hold); an unknown condition leaves that path out, undecided.
 */
export function unmodelledContainers(values: unknown, entry: ChartEntry): readonly AddedContainers[] {
    return entry.addsContainers.filter((added) => allHold(values, added.when) === true);
}

/** Problems of one known workload under a release's values: the missing fields, or UNKNOWN. */
export function missingResources(values: unknown, workload: ChartWorkload, requireCpuLimit: boolean): string[] | typeof UNKNOWN {
    const on = rendered(values, workload);
    if (on !== true) return on === UNKNOWN ? UNKNOWN : [];
    const base = workload.resources.split(".");
    const defaults = nestAt(base, workload.resourcesDefault ?? {});
    const fields = requiredResourceFields(requireCpuLimit);
    const missing: string[] = [];
    let unknown = false;
    for (const field of fields) {
        const read = valueAt(values, defaults, [...base, ...field]);
        if (read === UNKNOWN) unknown = true;
        else if (read.value === undefined || read.value === "") missing.push(field.join("."));
    }
    if (missing.length === 0 && unknown) return UNKNOWN;
    return missing;
}

function nestAt(path: readonly string[], leaf: Props): Props {
    return path.reduceRight<Props>((inner, key) => ({ [key]: inner }), leaf);
}

/**
 * `context` with every unknown value replaced by `compliant`'s at the same place (an unknown list
 * element: the compliant list's elements; an unknown key the compliant context lacks: dropped),
 * calling `onUnknown` for each. What remains wrong is wrong whatever the unknowns are.
 */
export function favourable(context: unknown, compliant: Props, onUnknown: () => void): Props {
    if (isUnknown(context)) {
        onUnknown();
        return compliant;
    }
    if (!isMap(context)) return {};
    const result: Props = {};
    for (const [key, value] of Object.entries(context)) {
        const good: unknown = compliant[key];
        if (isUnknown(value)) {
            onUnknown();
            if (good !== undefined) result[key] = good;
        } else if (Array.isArray(value)) {
            const knownElements = value.filter((element) => !isUnknown(element));
            if (knownElements.length < value.length) onUnknown();
            result[key] = knownElements.length < value.length && Array.isArray(good) ? [...knownElements, ...good] : knownElements;
        } else if (isMap(value)) {
            result[key] = favourable(value, isMap(good) ? good : {}, onUnknown);
        } else {
            result[key] = value;
        }
    }
    return result;
}

/** A context as the chart renders it under the release's values (see ContextSource), unknowns made favourable. */
export function renderedContext(values: unknown, source: ContextSource, compliant: Props, onUnknown: () => void): Props {
    let merged: unknown = {};
    if (source.path !== undefined) {
        const read = releaseValue(values, source.path);
        merged = read === UNKNOWN ? compliant : coalesce(read.value, source.default ?? {});
        if (read === UNKNOWN) onUnknown();
    }
    let context = favourable(merged, compliant, onUnknown);
    if (source.enabledKey !== undefined) {
        const { [source.enabledKey]: enabled, ...rest } = context;
        context = enabled === false ? {} : rest;
    }
    return { ...context, ...(source.fixed ?? {}) };
}

/** Whether the chart renders a probe under the release's values, or UNKNOWN; and why not, for the message. */
export function probeRendered(values: unknown, source: ProbeSource): { readonly on: boolean; readonly why: string } | typeof UNKNOWN {
    switch (source.from) {
        case "none":
            return { on: false, why: "the chart renders none" };
        case "template": {
            for (const condition of source.when ?? []) {
                const on = holds(values, condition);
                if (on === UNKNOWN) return UNKNOWN;
                if (!on)
                    return {
                        on: false,
                        why:
                            "equals" in condition
                                ? `${condition.path} is not ${condition.equals}`
                                : `${condition.path} is ${String(!(condition.when ?? true))}`,
                    };
            }
            return { on: true, why: "" };
        }
        case "flag": {
            const on = holds(values, { path: source.path, byDefault: source.byDefault });
            if (on === UNKNOWN) return UNKNOWN;
            return { on, why: `${source.path} is not true${source.byDefault ? "" : " (default false)"}` };
        }
        case "value": {
            const read = releaseValue(values, source.path);
            if (read === UNKNOWN) return UNKNOWN;
            const given = read.value;
            // A map merges onto the chart's default probe; null deletes it; anything else replaces it.
            const on =
                given === undefined
                    ? source.chartDefault
                    : isMap(given) && Object.keys(given).length === 0
                      ? source.chartDefault
                      : helmTrue(given);
            return { on, why: `${source.path} is empty${source.chartDefault ? "" : " (the chart's default)"}` };
        }
    }
}

const DIGEST_VALUE = { "sha256:<hex>": /^sha256:[0-9a-f]{64}$/, "<hex>": /^[0-9a-f]{64}$/ } as const;

/** Whether the chart writes the image pinned by digest under the release's values, or UNKNOWN. */
function imagePinned(values: unknown, image: ChartImage): boolean | typeof UNKNOWN {
    if (image.digest !== undefined) {
        const read = releaseValue(values, image.digest.path);
        if (read === UNKNOWN) return UNKNOWN;
        if (read.value === undefined ? image.digest.shipped === true : DIGEST_VALUE[image.digest.form].test(String(read.value ?? "")))
            return true;
    }
    if (image.tagTakesDigest) {
        const read = releaseValue(values, image.tag);
        if (read === UNKNOWN) return UNKNOWN;
        if (typeof read.value === "string" && IMAGE_DIGEST.test(read.value)) return true;
    }
    return false;
}

/** Where to pin a tag-only image, for the message. */
function pinAt(image: ChartImage): string {
    if (image.digest !== undefined) return `${image.digest.path} = ${image.digest.form}`;
    if (image.tagTakesDigest) return `${image.tag} = <tag>@sha256:<hex> (no digest key)`;
    return `nowhere (the chart cannot pin ${image.container})`;
}

/** The chart table's entry for a release's chart and version (undefined when it has none), or UNKNOWN (after `undecided`) while either is unknown. */
function releaseEntry(props: Props): ChartEntry | undefined | typeof UNKNOWN {
    const { chart, version } = props;
    if (isUnknown(chart) || isUnknown(version)) {
        undecided(isUnknown(chart) ? "chart" : "version");
        return UNKNOWN;
    }
    return chartEntry(chart, version);
}

/**
 * The check of a Helm rule: each workload the release's chart renders with its values, judged by
 * `judge`. A chart or version not in the table is k8s-helm-resources' finding; values from
 * `valueYamlFiles` cannot be read and are its finding too.
 */
function eachRenderedWorkload(
    judge: (values: unknown, workload: ChartWorkload, report: (message: string) => void) => void,
): ResourceRule["check"] {
    return (props, _args, report) => {
        const entry = releaseEntry(props);
        if (entry === UNKNOWN || entry === undefined || props.valueYamlFiles !== undefined) return;
        const values: unknown = props.values;
        for (const workload of entry.workloads) if (rendered(values, workload) === true) judge(values, workload, report);
    };
}

export const helmPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...platform("k8s-helm-resources", "high"),
        title: "Every workload a Helm release renders (the chart's known workloads, policy/helmCharts.ts) requests CPU and memory and has a memory limit; a chart or version not in the table is a finding.",
        types: [KUBERNETES_TYPES.helmRelease],
        config: { requireCpuLimit: false },
        configDocs: { requireCpuLimit: "Also require limits.cpu, as k8s-resources does." },
        decidesOnKnown: true,
        check: (props: Props, _args, report, config) => {
            const entry = releaseEntry(props);
            if (entry === UNKNOWN) return;
            if (entry === undefined) {
                const { chart, version } = props;
                report(
                    `unknown chart: ${String(chart)} ${String(version ?? "(no version)")} is not in the chart table; add it to the table (policy/helmCharts.ts CHARTS) with its workloads and values paths`,
                );
                return;
            }
            if (props.valueYamlFiles !== undefined && entry.workloads.length > 0)
                report("valueYamlFiles cannot be judged: pass the release's values as `values`");
            const values: unknown = props.values;
            for (const added of unmodelledContainers(values, entry))
                report(
                    `${added.path} adds a container through values that CHARTS does not model (${added.adds}; ${added.source}): model it in policy/helmCharts.ts CHARTS so the Helm rules judge it`,
                );
            for (const workload of entry.workloads) {
                const missing = missingResources(values, workload, config.requireCpuLimit);
                if (missing === UNKNOWN) undecided(workload.resources);
                else if (missing.length > 0)
                    report(`${workload.workload}: ${missing.map((field) => `${workload.resources}.${field}`).join(", ")} not set`);
            }
        },
    }),
    resourcePolicy({
        ...platform("k8s-helm-pod-security-restricted", "high"),
        title: "Every container a Helm release renders meets the restricted Pod Security Standard as k8s-pod-security-restricted judges it, on the release's values merged onto the chart's defaults; the table's reasoned exemptions (policy/README.md) waive only the fields they name.",
        types: [KUBERNETES_TYPES.helmRelease],
        decidesOnKnown: true,
        check: eachRenderedWorkload((values, workload, report) => {
            const { security } = workload;
            // An exemption holds only under its conditions; an unknown one waives (the favourable reading), undecided.
            const exemptHere = security.exempt !== undefined && allHold(values, security.exempt.when ?? []) !== false;
            const waived = new Set<string>(exemptHere ? (security.exempt?.fields ?? []) : []);
            let unknownPath: string | undefined;
            for (const pod of renderedPods(values, workload)) {
                for (const container of security.containers) {
                    const mark = (path: string | undefined) => () => {
                        unknownPath ??= path ?? workload.workload;
                    };
                    const podContext = renderedContext(values, pod.context, RESTRICTED_COMPLIANT.pod, mark(pod.context.path));
                    const containerContext = renderedContext(
                        values,
                        container.context,
                        RESTRICTED_COMPLIANT.container,
                        mark(container.context.path),
                    );
                    const problems = restrictedFindings(
                        { containers: [], securityContext: podContext },
                        { name: container.container, securityContext: containerContext },
                    )
                        .filter((finding) => !waived.has(finding.field))
                        .map((finding) => finding.problem);
                    // The row names its container; a row of several containers or pods says which one.
                    const where = [
                        ...(security.containers.length > 1 ? [`container ${container.container}`] : []),
                        ...(security.pods.length > 1 ? [`in ${pod.pod}`] : []),
                    ].join(" ");
                    if (problems.length > 0) report(`${workload.workload}${where ? ` ${where}` : ""}: ${problems.join("; ")}`);
                }
            }
            if (unknownPath !== undefined) undecided(unknownPath);
        }),
    }),
    resourcePolicy({
        ...platform("k8s-helm-probes", "high"),
        title: "Every serving container a Helm release renders has a readiness and a liveness probe, as k8s-probes asks (Jobs, and the table's reasoned exemptions, excepted).",
        types: [KUBERNETES_TYPES.helmRelease],
        decidesOnKnown: true,
        check: eachRenderedWorkload((values, workload, report) => {
            const { probes } = workload;
            if ("notServing" in probes || probes.exempt !== undefined) return;
            const missing: string[] = [];
            for (const probe of REQUIRED_PROBES) {
                const source = probes[probe];
                const read = probeRendered(values, source);
                if (read === UNKNOWN) undecided(source.from === "flag" || source.from === "value" ? source.path : workload.workload);
                else if (!read.on) missing.push(`${probe} not rendered (${read.why})`);
            }
            if (missing.length > 0) report(`${workload.workload}: ${missing.join("; ")}`);
        }),
    }),
    resourcePolicy({
        ...platform("k8s-helm-image-digest", "medium"),
        title: "Every image a Helm release renders is pinned by digest, as k8s-image-digest asks; advisory, because the charts ship tags and the digests must be read from the registries (policy/README.md, Chart images).",
        types: [KUBERNETES_TYPES.helmRelease],
        decidesOnKnown: true,
        // One finding per release, listing every tag-only image: the plan shows one line per chart, not per container.
        check: (props, args, report, config) => {
            const tagOnly: string[] = [];
            const collect = eachRenderedWorkload((values, workload) => {
                for (const image of workload.images) {
                    const pinned = imagePinned(values, image);
                    if (pinned === UNKNOWN) undecided(image.digest?.path ?? image.tag);
                    else if (!pinned) tagOnly.push(`${workload.workload}: ${pinAt(image)}`);
                }
            });
            collect(props, args, report, config);
            if (tagOnly.length > 0)
                report(`${tagOnly.length} image${tagOnly.length > 1 ? "s" : ""} by tag only; pin each by digest at: ${tagOnly.join("; ")}`);
        },
    }),
];

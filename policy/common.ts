/**
 * Shared helpers of the policy pack: how a policy is declared (name, control id, severity,
 * default enforcement), how its config is read (schema defaults applied here too, so a
 * policy behaves the same whether or not the engine filled them in), and the resource-tree
 * helpers the stack policies use (the cell enclosing a resource, regional AWS types).
 *
 * Nothing here may read files, the environment or Pulumi config: the same module runs in
 * the Pulumi CLI's analyzer and in the offline plan.
 */
import {
    type EnforcementLevel,
    type PolicyConfigSchema,
    type PolicyResource,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type Severity,
    type StackValidationArgs,
    type StackValidationPolicy,
} from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { catalogRegions } from "../regions/catalog";

/** Untyped resource properties (inputs for resource policies, outputs for stack policies). */
export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An SDK args type (or one of its properties) in the plain form a policy receives: outputs resolved. */
export type Inputs<A> = Unwrap<NonNullable<A>>;

/**
 * Default enforcement by severity: a critical or high finding blocks the update, a medium or
 * low one is reported. A stack's pack config (policy/config/<stack>.json) can raise or lower
 * any policy.
 */
export const LEVEL_BY_SEVERITY: Readonly<Record<Severity, EnforcementLevel>> = {
    critical: "mandatory",
    high: "mandatory",
    medium: "advisory",
    low: "advisory",
};

const FSBP = {
    name: "AWS Foundational Security Best Practices",
    version: "1.0.0",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
};

/** Reads a policy's config with the defaults of its schema (the CLI may or may not have applied them). */
export function settings<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
    const given = args.getConfig<Partial<T>>();
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(given)) if (value !== undefined && value !== null) merged[key] = value;
    return merged as T;
}

/** A JSON schema for `defaults`, each property typed by its default value and documented. */
export function schemaOf(defaults: Record<string, unknown>, docs: Record<string, string>): PolicyConfigSchema {
    const properties: PolicyConfigSchema["properties"] = {};
    for (const [key, value] of Object.entries(defaults)) {
        // Struct.fromJavaScript (the analyzer's wire format) rejects undefined values.
        const description = docs[key] ?? key;
        if (Array.isArray(value)) {
            properties[key] = {
                type: "array",
                items: { type: typeof value[0] === "number" ? "integer" : "string" },
                default: value,
                description,
            };
        } else if (typeof value === "number") {
            properties[key] = { type: Number.isInteger(value) ? "integer" : "number", default: value, description };
        } else if (typeof value === "boolean") {
            properties[key] = { type: "boolean", default: value, description };
        } else {
            properties[key] = { type: "string", default: value as string, description };
        }
    }
    return { properties };
}

/**
 * One FSBP control (or one of our own resource rules), checked on the listed type tokens.
 * `P` is how `check` reads the inputs: annotate its first parameter with the resource's
 * args type (`Inputs<aws.rds.ClusterArgs>`) and the pack casts the inputs once, here.
 */
export interface ResourceRule<C extends object = object, P = Props> {
    /** Policy name: unique, used as the key of the pack config. */
    readonly name: string;
    /** FSBP control id (`EKS.1`), or undefined for a platform rule. */
    readonly control?: string;
    /**
     * Further FSBP controls the same check covers (RDS.3 beside RDS.27: one encryption check on
     * instances and clusters). Each is a tag too, so filtering by any covered control finds the policy.
     */
    readonly alsoControls?: readonly string[];
    readonly severity: Severity;
    /** What compliance looks like, one sentence. */
    readonly title: string;
    /** Type tokens this rule applies to; every other resource is skipped. */
    readonly types: readonly string[];
    /** Config with its defaults; the schema is derived from it. */
    readonly config?: C;
    readonly configDocs?: Record<keyof C & string, string>;
    /** Overrides the severity's default level. */
    readonly enforcementLevel?: EnforcementLevel;
    readonly remediationSteps?: string;
    /**
     * The check handles values unknown during preview itself (`isUnknown`, `known`, `undecided`):
     * it reports the violations it can see beside unknown values. @default false: any unknown
     * value the check reads makes the rule undecided in that preview (never a false pass, never a
     * false failure), and `pulumi up` decides
     */
    readonly decidesOnKnown?: boolean;
    readonly check: (props: P, args: ResourceValidationArgs, report: (message: string) => void, config: C) => void;
}

function controlUrl(control: string): string {
    const service = control.split(".")[0].toLowerCase();
    return `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${control.toLowerCase().replace(".", "-")}`;
}

function descriptionOf(controls: readonly string[], severity: Severity, title: string): string {
    return controls.length > 0 ? `[${controls.join(", ")}, ${severity}] ${title}` : `[platform, ${severity}] ${title}`;
}

/** Every FSBP control a rule covers, its own first. */
function controlsOf(rule: Pick<StackRule, "control" | "alsoControls">): string[] {
    return rule.control ? [rule.control, ...(rule.alsoControls ?? [])] : [];
}

/** What a resource and a stack policy share: name, description, level, framework, config schema. */
function metadataOf(
    rule: Pick<StackRule, "name" | "control" | "alsoControls" | "severity" | "title" | "enforcementLevel" | "remediationSteps"> & {
        readonly config?: object;
        readonly configDocs?: object;
    },
) {
    const controls = controlsOf(rule);
    return {
        name: rule.name,
        description: descriptionOf(controls, rule.severity, rule.title),
        severity: rule.severity,
        enforcementLevel: rule.enforcementLevel ?? LEVEL_BY_SEVERITY[rule.severity],
        // The engine's framework names one specification (the rule's own control); the tags name every covered control.
        ...(rule.control
            ? { framework: { ...FSBP, specification: rule.control }, url: controlUrl(rule.control), tags: ["aws-fsbp", ...controls] }
            : { tags: ["platform"] }),
        ...(rule.config
            ? { configSchema: schemaOf(rule.config as Record<string, unknown>, (rule.configDocs ?? {}) as Record<string, string>) }
            : {}),
        ...(rule.remediationSteps ? { remediationSteps: rule.remediationSteps } : {}),
    };
}

/**
 * The header of a rule for an FSBP control: the policy's name (its key in the pack config), the
 * control id, its severity (the highest of the controls it covers), and the further controls the
 * same check covers, if any.
 */
export function fsbp(
    name: string,
    control: string,
    severity: Severity,
    ...alsoControls: string[]
): Pick<ResourceRule, "name" | "control" | "alsoControls" | "severity"> {
    return alsoControls.length > 0 ? { name, control, severity, alsoControls } : { name, control, severity };
}

/** The header of one of our own rules (no FSBP control): the policy's name and its severity. */
export function platform(name: string, severity: Severity): Pick<ResourceRule, "name" | "severity"> {
    return { name, severity };
}

/**
 * A resource rule as the engine runs it. The engine hands `props` behind its unknown-checking
 * proxy, which throws on the read of a value unknown during `pulumi preview` (an output of a
 * resource not created yet) and turns the whole policy into an advisory "can't run during
 * preview": a known violation beside an unknown value would never be reported. So the rule reads
 * the proxy's target instead, where an unknown value is the engine's sentinel (`isUnknown`), and
 * decides on what is known: a violation it can see is reported; when it finds none but an
 * unknown value kept it from deciding (`undecided`), the engine's own UnknownValueError is
 * thrown, so the preview says the rule could not run, and `pulumi up`, where every input is
 * known, decides.
 */
export function resourcePolicy<C extends object, P = Props>(rule: ResourceRule<C, P>): ResourceValidationPolicy {
    const types = new Set(rule.types);
    const defaults = (rule.config ?? {}) as C;
    return {
        ...metadataOf(rule),
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            if (!types.has(args.type)) return;
            const target = proxyTarget(args.props);
            const reported: string[] = [];
            const previous = undecidedPaths;
            undecidedPaths = [];
            let unknown: string[];
            // A check that does not handle unknowns reads through a proxy that records each one it reads.
            const read: string[] = [];
            const props = rule.decidesOnKnown ? target : recordingUnknowns(target, [], read);
            try {
                rule.check(props as P, { ...args, props }, (message) => reported.push(message), settings(args, defaults));
            } finally {
                unknown = undecidedPaths;
                undecidedPaths = previous;
            }
            if (read.length > 0 || (reported.length === 0 && unknown.length > 0))
                throw new engineProxy.UnknownValueError(engineProxy.unknownStringValue, read.length > 0 ? [read[0]] : unknown);
            for (const message of reported) reportViolation(message);
        },
    };
}

// The engine's preview sentinels and its UnknownValueError (@pulumi/policy 1.21.0 proxy.js; marked
// internal, so not in its typings): the same module instance the analyzer's server checks with instanceof.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engineProxy = require("@pulumi/policy/proxy") as {
    readonly getSpecialProxyTarget: string;
    readonly isSpecialProxy: string;
    readonly UnknownValueError: new (sentinel: string, path: string[]) => Error;
    readonly unknownStringValue: string;
} & Record<string, unknown>;

const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set(
    [
        "unknownBooleanValue",
        "unknownNumberValue",
        "unknownStringValue",
        "unknownArrayValue",
        "unknownAssetValue",
        "unknownArchiveValue",
        "unknownObjectValue",
    ].map((key) => engineProxy[key]),
);

/** Whether `value` is unknown during preview (an engine sentinel). */
export function isUnknown(value: unknown): boolean {
    return UNKNOWN_SENTINELS.has(value);
}

/** The object behind the engine's unknown-checking proxy, or `props` itself (offline). */
function proxyTarget(props: Props): Props {
    const target =
        (props as Record<string, unknown>)[engineProxy.isSpecialProxy] === true ? props[engineProxy.getSpecialProxyTarget] : props;
    return target as Props;
}

/** `props` behind a proxy that appends to `read` the path of every unknown value read, and returns it. */
function recordingUnknowns(props: Props, path: readonly string[], read: string[]): Props {
    return new Proxy(props, {
        get: (target, key) => {
            const value: unknown = Reflect.get(target, key);
            if (typeof key !== "string") return value;
            if (isUnknown(value)) read.push([...path, key].join("."));
            // The Proxy invariant: a non-configurable, non-writable own property reads as itself.
            const desc = Object.getOwnPropertyDescriptor(target, key);
            if (desc && "value" in desc && desc.configurable === false && desc.writable === false) return value;
            return value !== null && typeof value === "object" ? recordingUnknowns(value as Props, [...path, key], read) : value;
        },
    });
}

let undecidedPaths: string[] = [];

/**
 * Tells the running resource rule that the unknown value at `path` kept it from deciding: with
 * no violation found, the preview reports the rule could not run (see `resourcePolicy`).
 */
export function undecided(path: string): void {
    undecidedPaths.push(path);
}

/**
 * `value`, or undefined (after `undecided(path)`) when it is unknown during preview: for a
 * value the rule compares (an enum, a number, a version), never for a reference that only
 * has to be set (an unknown id will be set: `isSet`).
 */
export function known<T>(value: T, path: string): T | undefined {
    if (!isUnknown(value)) return value;
    undecided(path);
    return undefined;
}

export interface StackRule<C extends object = object> {
    readonly name: string;
    readonly control?: string;
    readonly alsoControls?: readonly string[];
    readonly severity: Severity;
    readonly title: string;
    readonly config?: C;
    readonly configDocs?: Record<keyof C & string, string>;
    readonly enforcementLevel?: EnforcementLevel;
    readonly remediationSteps?: string;
    readonly check: (resources: readonly PolicyResource[], args: StackValidationArgs, report: ReportViolation, config: C) => void;
}

/**
 * A stack rule as the engine runs it. Its resources' props are behind the unknown-checking proxy
 * (read unknown values through `whenKnown` or `knownProp`). A rule that an unknown value kept from
 * deciding (`undecided`) and that found no violation throws the engine's UnknownValueError, so the
 * preview says it could not run, as for a resource rule; the violations it found are reported either way.
 */
export function stackPolicy<C extends object>(rule: StackRule<C>): StackValidationPolicy {
    const defaults = (rule.config ?? {}) as C;
    return {
        ...metadataOf(rule),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const previous = undecidedPaths;
            undecidedPaths = [];
            let reported = 0;
            let unknown: string[];
            const report: ReportViolation = (message, urn) => {
                reported++;
                reportViolation(message, urn);
            };
            try {
                rule.check(args.resources, args, report, settings(args, defaults));
            } finally {
                unknown = undecidedPaths;
                undecidedPaths = previous;
            }
            if (reported === 0 && unknown.length > 0) throw new engineProxy.UnknownValueError(engineProxy.unknownStringValue, unknown);
        },
    };
}

/**
 * A stack policy's read of `resource.props[key]`: `{ value }`, or undefined after `undecided`
 * when the value is unknown during preview (the engine's proxy throws on such a read).
 */
export function knownProp(resource: PolicyResource, key: string): { readonly value: unknown } | undefined {
    const UNREAD = Symbol("unknown");
    const read = whenKnown<unknown>(() => resource.props[key], UNREAD);
    if (read !== UNREAD && !isUnknown(read)) return { value: read };
    undecided(`${resource.name}.${key}`);
    return undefined;
}

// ---- values ---------------------------------------------------------------------------------

/** A boolean input judged with the provider's default when omitted. */
export function flag(value: unknown, providerDefault: boolean): boolean {
    return typeof value === "boolean" ? value : providerDefault;
}

/**
 * The check of a boolean input that must be true and that the provider defaults to false:
 * reports "`key` is not set (default false)|false: `fix`" unless it is true, and returns
 * whether it is. `A` is the resource's args type, so a misspelt key does not compile.
 */
export function requireTrue<A>(props: Props, key: keyof A & string, report: (message: string) => void, fix = "set it to true"): boolean {
    const value: unknown = props[key];
    if (isUnknown(value)) {
        undecided(key);
        return false;
    }
    if (flag(value, false)) return true;
    report(`${key} is ${value === undefined ? "not set (default false)" : "false"}: ${fix}`);
    return false;
}

/** A rule's whole check when it is one boolean input that must be true (see `requireTrue`). */
export function mustBeTrue<A>(key: keyof A & string, fix?: string): ResourceRule["check"] {
    return (props, _args, report) => {
        requireTrue<A>(props, key, report, fix);
    };
}

/** `value` as a list; an unknown list is empty after `undecided` (its elements cannot be judged). */
export function list<T = unknown>(value: unknown): T[] {
    if (isUnknown(value)) undecided("a list");
    return Array.isArray(value) ? (value as T[]) : [];
}

/** `value` as an object; an unknown one is empty after `undecided`. */
export function obj(value: unknown): Props {
    if (isUnknown(value)) undecided("an object");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Props) : {};
}

export function isSet(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

/**
 * Reads a property that may be unknown during `pulumi preview` (an output of a resource not
 * created yet): the engine's props proxy throws UnknownValueError on such a read, which would
 * turn the whole stack policy into a "can't run during preview" notice. `fallback` is what an
 * unknown value means for the rule (e.g. "set" for an id that will exist).
 */
export function whenKnown<T>(read: () => T, fallback: T): T {
    try {
        return read();
    } catch (err) {
        if ((err as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError") return fallback;
        throw err;
    }
}

// ---- the resource tree ----------------------------------------------------------------------

export const CELL_TYPE = "platform:cell:RegionalCell";

/** The resources of the given type tokens. */
export function resourcesOfType(resources: readonly PolicyResource[], ...types: readonly string[]): PolicyResource[] {
    return resources.filter((resource) => types.includes(resource.type));
}

/** The resources of the given type tokens; none makes the stack policy not applicable, for `reason`. */
export function resourcesOrNotApplicable(
    resources: readonly PolicyResource[],
    args: StackValidationArgs,
    reason: string,
    ...types: readonly string[]
): PolicyResource[] {
    const found = resourcesOfType(resources, ...types);
    if (found.length === 0) args.notApplicable(reason);
    return found;
}

/** The RegionalCell resource that encloses `resource` (its nearest cell ancestor, or itself), or undefined. */
export function enclosingCell(resource: PolicyResource): PolicyResource | undefined {
    const seen = new Set<string>();
    for (
        let ancestor: PolicyResource | undefined = resource;
        ancestor !== undefined && !seen.has(ancestor.urn);
        ancestor = ancestor.parent
    ) {
        seen.add(ancestor.urn);
        if (ancestor.type === CELL_TYPE) return ancestor;
    }
    return undefined;
}

/** The AWS region of a cell, from the region catalog by the cell's name (its region code). */
export function cellRegion(cell: PolicyResource): string | undefined {
    return catalogRegions().find((region) => region.code === cell.name)?.name;
}

/** AWS modules whose resources are global (they take no `region`). */
const GLOBAL_AWS_MODULES = new Set([
    "iam",
    "cloudfront",
    "organizations",
    "shield",
    "globalaccelerator",
    "budgets",
    "account",
    "costexplorer",
    // ARC Region switch: plan ARNs carry no region and the provider deprecates the plan's `region`.
    "arcregionswitch",
]);

/**
 * Whether a type token is a regional AWS resource in @pulumi/aws v7 (it takes `region`).
 * Route 53 is global except its Resolver and Profiles resources.
 */
export function isRegionalAwsType(type: string): boolean {
    if (!type.startsWith("aws:")) return false;
    const [awsModule, resourcePath] = type.split(":")[1].split("/");
    if (GLOBAL_AWS_MODULES.has(awsModule)) return false;
    if (awsModule === "route53") return /^(resolver|profiles)/.test(resourcePath ?? "");
    return true;
}

/**
 * Whether `from` refers to `to` through `property`: by the engine's property dependencies when
 * it sent them, else by the resource's dependencies (the offline plan records only those).
 */
export function refersTo(from: PolicyResource, to: PolicyResource, properties: readonly string[]): boolean {
    const byProperty = properties.filter((property) => from.propertyDependencies?.[property] !== undefined);
    if (byProperty.length > 0)
        return byProperty.some((property) => from.propertyDependencies[property].some((dependency) => dependency.urn === to.urn));
    return from.dependencies.some((dependency) => dependency.urn === to.urn);
}

/**
 * The resources of `type` that no resource of `referrerType` refers to through `properties`
 * (see `refersTo`), nor by `matches` when given (e.g. an id compared while it is known).
 */
export function unreferenced(
    resources: readonly PolicyResource[],
    type: string,
    referrerType: string,
    properties: readonly string[],
    matches: (referrer: PolicyResource, resource: PolicyResource) => boolean = () => false,
): PolicyResource[] {
    const referrers = resourcesOfType(resources, referrerType);
    return resourcesOfType(resources, type).filter(
        (resource) => !referrers.some((referrer) => refersTo(referrer, resource, properties) || matches(referrer, resource)),
    );
}

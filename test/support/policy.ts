/**
 * Fixtures for the policy tests: synthetic recorded resources (as the mock runtime records
 * them) and a runner that applies one policy of the pack to them through the offline plan's
 * engine-like runner, so tests exercise the same path as `npm run plan`; the table of a
 * resource rule's cases; resources as the engine hands them to a stack policy in preview.
 */
import * as assert from "node:assert/strict";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type PackConfig, checkPolicies } from "../../plan/policyRunner";
import type { RecordedResource } from "../../plan/runtime";
import type { Props } from "../../policy/common";
import { policies } from "../../policy/policies";

export interface FixtureOptions {
    readonly parent?: RecordedResource | null;
    readonly protect?: boolean;
    readonly dependsOn?: readonly RecordedResource[];
    readonly custom?: boolean;
}

/** A recorded resource with engine-form URN (parent type chain) and the given inputs. */
export function fixture(type: string, name: string, props: Props = {}, options: FixtureOptions = {}): RecordedResource {
    const parent = options.parent ?? null;
    const chain = parent ? `${parentChain(parent)}$${type}` : type;
    return {
        urn: `urn:pulumi:test::platform::${chain}::${name}`,
        type,
        name,
        parent: parent ? parent.urn : null,
        custom: options.custom ?? !type.startsWith("platform:"),
        provider: null,
        protect: options.protect ?? false,
        id: options.custom === false || type.startsWith("platform:") ? null : `${name}-id`,
        retainOnDelete: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        dependencies: (options.dependsOn ?? []).map((d) => d.urn),
        aliases: [],
        inputs: props,
        rawInputs: props,
    };
}

function parentChain(resource: RecordedResource): string {
    // urn:pulumi:stack::project::<chain>::name
    return resource.urn.split("::")[2];
}

export function cell(code: string): RecordedResource {
    return fixture("platform:cell:RegionalCell", code, {}, { custom: false });
}

export interface Finding {
    readonly name: string | null;
    readonly message: string;
    readonly enforcementLevel: string;
}

/** Runs the pack's policy `name` alone over `resources`; findings by resource name. */
export async function findings(name: string, resources: readonly RecordedResource[], config: PackConfig = {}): Promise<Finding[]> {
    const policy = policies.find((candidate) => candidate.name === name);
    if (!policy) throw new Error(`no policy named ${name}`);
    const nameByUrn = new Map(resources.map((resource) => [resource.urn, resource.name]));
    const violations = await checkPolicies(resources, { policies: [policy], config });
    return violations.map((violation) => ({
        name: violation.urn ? (nameByUrn.get(violation.urn) ?? violation.urn) : null,
        message: violation.message,
        enforcementLevel: violation.enforcementLevel,
    }));
}

/** Findings as `name: message` lines, the form most assertions compare. */
export async function flagged(name: string, resources: readonly RecordedResource[], config: PackConfig = {}): Promise<string[]> {
    return (await findings(name, resources, config)).map((finding) => `${finding.name}: ${finding.message}`);
}

/** [resource name, inputs, the expected message(s), or null when compliant] */
export type Row = readonly [string, Props, string | readonly string[] | null];

/** A policy by name, or by name with its pack config for the rows. */
export type RuleUnderTest = string | { readonly policy: string; readonly config: Record<string, unknown> };

/**
 * One test per type (`type` may list several): the rows declared as resources of that type,
 * and exactly the expected findings, by resource name, in row order.
 */
/**
 * `references`: inputs that only have to be set (an id, a name of another resource): unknown
 * during preview, such an input will be set, so a failing row whose only fault is that input
 * (empty, "default") may pass with it unknown.
 */
export function checkRule(
    rule: RuleUnderTest,
    type: string | readonly string[],
    rows: readonly Row[],
    references: readonly string[] = [],
): void {
    const { policy, config } = typeof rule === "string" ? { policy: rule, config: undefined } : rule;
    const flaggedRows = rows.filter(([, , expected]) => expected !== null);
    const expected = flaggedRows.flatMap(([name, , messages]) => [messages ?? []].flat().map((message) => `${name}: ${message}`));
    for (const one of [type].flat()) {
        const flags = flaggedRows.map(([name]) => name).join(", ") || "nothing";
        it(`${policy} on ${one.split(":")[2]}${config ? ` (config ${JSON.stringify(config)})` : ""}: flags ${flags}`, async () => {
            const resources = rows.map(([name, props]) => fixture(one, name, props));
            assert.deepEqual(await flagged(policy, resources, config ? { [policy]: config } : {}), expected);
        });
        it(`${policy} on ${one.split(":")[2]} as \`pulumi preview\` passes it: secrets the same, an unknown value never a false pass nor a false failure`, async () => {
            for (const [name, props, messages] of rows) {
                const want = [messages ?? []].flat();
                const secret = await underEngine(policy, one, name, asSecrets(props), config);
                assert.deepEqual(secret, { violations: want, undecided: false }, `${name}, every value a secret`);
                for (const [path, variant] of unknownVariants(props)) {
                    const got = await underEngine(policy, one, name, variant, config);
                    const where = `${name} with ${path} unknown: ${JSON.stringify(got)}`;
                    // An added unknown element changes what is known (a list's length): judged on failing rows only.
                    if (want.length === 0) assert.ok(path.endsWith("[+]") || got.violations.length === 0, where);
                    else if (!references.some((r) => path === `.${r}` || path.startsWith(`.${r}[`)))
                        assert.ok(got.violations.length > 0 || got.undecided, where);
                }
            }
        });
    }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties(struct: unknown, keepSecrets: boolean): Props };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: unknown): unknown } };
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const sentinels = () => previewProxy as unknown as Record<string, string>;

/** Every leaf of `props` wrapped the way the engine sends a secret. */
function asSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(asSecrets);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSecrets(v)]));
    return value === null || value === undefined ? value : { ...SECRET_SIG, value };
}

function sentinelOf(value: unknown): string {
    if (Array.isArray(value)) return sentinels().unknownArrayValue;
    if (typeof value === "boolean") return sentinels().unknownBooleanValue;
    if (typeof value === "number") return sentinels().unknownNumberValue;
    if (value !== null && typeof value === "object") return sentinels().unknownObjectValue;
    return sentinels().unknownStringValue;
}

/**
 * `props` with one value unknown, for every value at every depth (each property, each list
 * element, each whole list or object), and with an unknown element added to every list.
 */
export function unknownVariants(props: Props): [string, Props][] {
    const out: [string, Props][] = [];
    const walk = (value: unknown, path: string, replace: (v: unknown) => Props) => {
        if (path) out.push([path, replace(sentinelOf(value))]);
        if (Array.isArray(value)) {
            out.push([`${path}[+]`, replace([...value, sentinels().unknownStringValue])]);
            value.forEach((v, i) => walk(v, `${path}[${i}]`, (x) => replace(value.map((e, j) => (j === i ? x : e)))));
        } else if (value !== null && typeof value === "object") {
            for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, (x) => replace({ ...(value as Props), [k]: x }));
        }
    };
    walk(JSON.parse(JSON.stringify(props)), "", (x) => x as Props);
    return out;
}

/**
 * Runs resource policy `name` on one resource exactly as the analyzer's server does
 * (@pulumi/policy 1.21.0 server.js): the wire props (secrets, unknown sentinels) through
 * `deserializeProperties(…, false)` and the unknown-checking proxy; an UnknownValueError is the
 * advisory "can't run during preview" (`undecided`).
 */
export async function underEngine(
    name: string,
    type: string,
    resourceName: string,
    wire: unknown,
    config: Record<string, unknown> = {},
): Promise<{ violations: string[]; undecided: boolean }> {
    const policy = policies.find((candidate) => candidate.name === name) as ResourceValidationPolicy | undefined;
    if (!policy?.validateResource) throw new Error(`no resource policy named ${name}`);
    const props = previewProxy.unknownCheckingProxy(
        deserialize.deserializeProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(wire ?? {}))), false),
    );
    const violations: string[] = [];
    const validations = [policy.validateResource].flat();
    try {
        for (const validate of validations)
            await validate(
                {
                    type,
                    props,
                    urn: `urn:pulumi:test::platform::${type}::${resourceName}`,
                    name: resourceName,
                    opts: resourceOptions(),
                    stackTags: new Map(),
                    isType: () => false,
                    asType: () => undefined,
                    getConfig: () => config as never,
                    notApplicable: (reason?: string) => {
                        throw new Error(`not applicable: ${reason}`);
                    },
                } as ResourceValidationArgs,
                (message) => violations.push(message),
            );
    } catch (err) {
        if (err instanceof (previewProxy as unknown as { UnknownValueError: new () => Error }).UnknownValueError)
            return { violations, undecided: true };
        throw err;
    }
    return { violations, undecided: false };
}

/**
 * The two failing rows of a boolean input that must be true and defaults to false (the
 * pack's `requireTrue`): "omitted" (not set) and "off" (false), each with its message.
 */
export function unsetOrFalse(key: string, fix = "set it to true"): Row[] {
    return [
        ["omitted", {}, `${key} is not set (default false): ${fix}`],
        ["off", { [key]: false }, `${key} is false: ${fix}`],
    ];
}

/** A cell's network as the Network component declares it: the VPC, its flow log (by dependency) and the log role. */
export function cellNetwork(cellResource: RecordedResource, region: string): RecordedResource[] {
    const network = fixture("platform:cell:Network", `${cellResource.name}-net`, {}, { parent: cellResource, custom: false });
    const vpc = fixture("aws:ec2/vpc:Vpc", `${cellResource.name}-net-vpc`, { region, cidrBlock: "10.10.0.0/16" }, { parent: network });
    const flowLog = fixture(
        "aws:ec2/flowLog:FlowLog",
        `${cellResource.name}-net-flow-log`,
        { region, vpcId: `vpc-${cellResource.name}`, trafficType: "ALL" },
        { parent: network, dependsOn: [vpc] },
    );
    const role = fixture("aws:iam/role:Role", `${cellResource.name}-net-flow-logs-role`, { assumeRolePolicy: "{}" }, { parent: network });
    return [network, vpc, flowLog, role];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const previewProxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(o: T): T; unknownStringValue: unknown };

/** The value of an output that is unknown during preview. */
export const UNKNOWN = previewProxy.unknownStringValue;

/** A resource as the engine hands it to a stack policy during preview: props behind the unknown-checking proxy. */
/** The options a policy sees on a resource declared with none. */
function resourceOptions(): PolicyResource["opts"] {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
}

export function previewed(type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::platform::${type}::${name}`,
        props: previewProxy.unknownCheckingProxy(props),
        opts: resourceOptions(),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
        ...extra,
    };
}

/**
 * Runs the pack's stack policy `name` on preview resources, directly (not through the
 * offline runner, which builds its own resources); fails on "not applicable", which is what
 * an unknown value read unguarded would turn the policy into. Findings as `name: message`.
 */
export async function previewFindings(name: string, resources: PolicyResource[]): Promise<string[]> {
    const policy = policies.find((candidate) => candidate.name === name) as StackValidationPolicy | undefined;
    if (!policy?.validateStack) throw new Error(`no stack policy named ${name}`);
    const found: string[] = [];
    await policy.validateStack(
        {
            resources,
            stackTags: new Map(),
            getConfig: () => ({}) as never,
            notApplicable: (reason?: string) => {
                throw new Error(`not applicable: ${reason}`);
            },
        },
        (message, urn) => found.push(`${urn?.split("::").pop()}: ${message}`),
    );
    return found;
}

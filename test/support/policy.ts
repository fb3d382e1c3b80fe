/**
 * Fixtures for the policy tests: synthetic recorded resources (as the mock runtime records
 * them) and a runner that applies one policy of the pack to them through the offline plan's
 * engine-like runner, so tests exercise the same path as `npm run plan`; the table of a
 * resource rule's cases; resources as the engine hands them to a stack policy in preview.
 */
import * as assert from "node:assert/strict";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
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
export function checkRule(rule: RuleUnderTest, type: string | readonly string[], rows: readonly Row[]): void {
    const { policy, config } = typeof rule === "string" ? { policy: rule, config: undefined } : rule;
    const flaggedRows = rows.filter(([, , expected]) => expected !== null);
    const expected = flaggedRows.flatMap(([name, , messages]) => [messages ?? []].flat().map((message) => `${name}: ${message}`));
    for (const one of [type].flat()) {
        const flags = flaggedRows.map(([name]) => name).join(", ") || "nothing";
        it(`${policy} on ${one.split(":")[2]}${config ? ` (config ${JSON.stringify(config)})` : ""}: flags ${flags}`, async () => {
            const resources = rows.map(([name, props]) => fixture(one, name, props));
            assert.deepEqual(await flagged(policy, resources, config ? { [policy]: config } : {}), expected);
        });
    }
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
export function previewed(type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::platform::${type}::${name}`,
        props: previewProxy.unknownCheckingProxy(props),
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
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

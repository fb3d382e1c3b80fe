/**
 * Fixtures for the policy tests: synthetic recorded resources (as the mock runtime records
 * them) and a runner that applies one policy of the pack to them through the offline plan's
 * engine-like runner, so tests exercise the same path as `npm run plan`.
 */
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
        retainOnDelete: false,
        ignoreChanges: [],
        dependencies: (options.dependsOn ?? []).map((d) => d.urn),
        aliases: [],
        inputs: props,
        rawInputs: props,
    };
}

function parentChain(r: RecordedResource): string {
    // urn:pulumi:stack::project::<chain>::name
    return r.urn.split("::")[2];
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
    const policy = policies.find((p) => p.name === name);
    if (!policy) throw new Error(`no policy named ${name}`);
    const byUrn = new Map(resources.map((r) => [r.urn, r.name]));
    const violations = await checkPolicies(resources, { policies: [policy], config });
    return violations.map((v) => ({
        name: v.urn ? (byUrn.get(v.urn) ?? v.urn) : null,
        message: v.message,
        enforcementLevel: v.enforcementLevel,
    }));
}

/** Findings as `name: message` lines, the form most assertions compare. */
export async function flagged(name: string, resources: readonly RecordedResource[], config: PackConfig = {}): Promise<string[]> {
    return (await findings(name, resources, config)).map((f) => `${f.name}: ${f.message}`);
}

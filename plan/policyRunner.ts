/**
 * Runs the policy pack (`policy/policies.ts`) over an offline plan, in process, with the
 * arguments the Pulumi engine's analyzer would build: resource policies get each resource's
 * type, inputs, URN, name, options and provider; stack policies get every resource with its
 * parent and dependencies resolved to resource objects. `isType`/`asType` compare the class's
 * `__pulumiType` token as @pulumi/policy does.
 *
 * Enforcement precedence (as the CLI): the policy's entry in the pack config, then the
 * config's `all`, then the policy's own level, then the pack's default. `disabled` skips a
 * policy; `remediate` reports as mandatory (nothing is remediated offline).
 *
 * Checks read `rawInputs` (secrets in clear, as the engine hands them to an analyzer); no
 * input is ever copied into a violation by this module.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, policies as packPolicies } from "../policy/policies";
import type { RecordedResource } from "./runtime";

/** A pack config file (`--policy-pack-config`): policy name (or `all`) to a level or an object. */
export interface PolicyViolation {
    readonly policy: string;
    readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
    readonly urn?: string;
    readonly message: string;
}

export type PackConfig = Readonly<Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>>;

export interface PolicyRunOptions {
    readonly config?: PackConfig;
    /** Defaults to the pack's policies; tests pass their own. */
    readonly policies?: Policies;
    readonly packEnforcementLevel?: EnforcementLevel;
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "not applicable");
}

function entryOf(config: PackConfig, name: string): Record<string, unknown> | undefined {
    const entry = config[name];
    if (entry === undefined) return undefined;
    return typeof entry === "string" ? { enforcementLevel: entry } : entry;
}

/** The level a policy runs at under `config`. */
export function enforcementLevelOf(
    policy: { name: string; enforcementLevel?: EnforcementLevel },
    config: PackConfig = {},
    packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
): EnforcementLevel {
    const own = entryOf(config, policy.name)?.enforcementLevel as EnforcementLevel | undefined;
    const all = entryOf(config, "all")?.enforcementLevel as EnforcementLevel | undefined;
    return own ?? all ?? policy.enforcementLevel ?? packLevel;
}

function configOf(config: PackConfig, name: string): () => object {
    return () => {
        const { enforcementLevel: _level, ...properties } = entryOf(config, name) ?? {};
        void _level;
        return properties;
    };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType;
    if (token !== undefined) return token === type;
    return false;
}

function optionsOf(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: [...r.ignoreChanges],
        aliases: [...r.aliases],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** The provider resource behind a reference `urn::id`. */
function providerOf(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>) {
    if (!r.provider) return undefined;
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    const p = byUrn.get(urn);
    return p ? { type: p.type, props: p.rawInputs, urn: p.urn, name: p.name } : undefined;
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    return (p as ResourceValidationPolicy).validateResource !== undefined;
}

/** Every violation of `resources` under the pack (or `options.policies`). */
export async function checkPolicies(resources: readonly RecordedResource[], options: PolicyRunOptions = {}): Promise<PolicyViolation[]> {
    const config = options.config ?? {};
    const policies = options.policies ?? packPolicies;
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: PolicyViolation[] = [];
    const stackResources = toPolicyResources(resources, byUrn);
    // What does not depend on the policy is built once per resource, not once per pair.
    const prepared = resources.map((r) => ({ r, opts: optionsOf(r), provider: providerOf(r, byUrn) }));

    for (const policy of policies) {
        let level = enforcementLevelOf(policy, config, options.packEnforcementLevel);
        if (level === "disabled") continue;
        if (level === "remediate") level = "mandatory";
        const getConfig = configOf(config, policy.name);
        const record = (message: string, urn?: string) =>
            violations.push({ policy: policy.name, enforcementLevel: level, ...(urn ? { urn } : {}), message });

        if (isResourcePolicy(policy)) {
            if (!policy.validateResource) continue;
            const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const { r, opts, provider } of prepared) {
                const args: ResourceValidationArgs = {
                    type: r.type,
                    props: r.rawInputs,
                    urn: r.urn,
                    name: r.name,
                    opts,
                    stackTags: new Map(),
                    isType: (cls) => isTypeOf(r.type, cls),
                    asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? r.rawInputs : undefined)) as ResourceValidationArgs["asType"],
                    getConfig: getConfig as ResourceValidationArgs["getConfig"],
                    notApplicable,
                };
                if (provider) args.provider = provider;
                for (const validate of validations) {
                    try {
                        // Most validations are synchronous: await only a promise (one microtask per
                        // policy × resource pair adds up over thousands of resources).
                        const pending = validate(args, (message) => record(message, r.urn));
                        if (pending instanceof Promise) await pending;
                    } catch (err) {
                        // As the analyzer's server does (@pulumi/policy server.js): a rule undecided on an unknown value is an advisory notice.
                        if ((err as Error)?.constructor?.name === "UnknownValueError")
                            violations.push({
                                policy: policy.name,
                                enforcementLevel: "advisory",
                                urn: r.urn,
                                message: `can't run policy '${policy.name}' during preview: ${(err as Error).message}`,
                            });
                        else if (!(err instanceof NotApplicable)) throw err;
                    }
                }
            }
        } else {
            const args: StackValidationArgs = {
                resources: stackResources,
                stackTags: new Map(),
                getConfig: getConfig as StackValidationArgs["getConfig"],
                notApplicable,
            };
            try {
                await policy.validateStack(args, record);
            } catch (err) {
                if (!(err instanceof NotApplicable)) throw err;
            }
        }
    }
    return violations;
}

/** The resources as a stack policy sees them: parent and dependencies are resource objects. */
export function toPolicyResources(
    resources: readonly RecordedResource[],
    byUrn: ReadonlyMap<string, RecordedResource> = new Map(resources.map((r) => [r.urn, r])),
): PolicyResource[] {
    const out = new Map<string, PolicyResource>();
    for (const r of resources) {
        out.set(r.urn, {
            type: r.type,
            props: r.rawInputs,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            // The mock monitor records dependencies only; policies fall back to them.
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? r.rawInputs : undefined)) as PolicyResource["asType"],
            ...(providerOf(r, byUrn) ? { provider: providerOf(r, byUrn) } : {}),
        });
    }
    for (const r of resources) {
        const resource = out.get(r.urn)!;
        if (r.parent && out.has(r.parent)) resource.parent = out.get(r.parent);
        resource.dependencies = r.dependencies.map((d) => out.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
    return [...out.values()];
}

/** Where a stack's pack config lives: `policy/config/<stack>.json` under the project root. */
export function packConfigFile(root: string, stack: string): string {
    return path.join(root, "policy", "config", `${stack}.json`);
}

/** The stack's pack config, or {} (the policies' own levels) when the stack has none. */
export function readPackConfig(root: string, stack: string): PackConfig {
    const file = packConfigFile(root, stack);
    if (!existsSync(file)) return {};
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error(`${file}: a policy pack config is a JSON object of policy name to level or settings`);
    return parsed as PackConfig;
}

/** Exit status rule of the plan: a mandatory violation (remediate counts as mandatory) fails it. */
export function hasBlockingViolation(violations: readonly PolicyViolation[]): boolean {
    return violations.some((v) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate");
}

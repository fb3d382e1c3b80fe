/**
 * Test helpers: evaluate a component or the whole program on the mock runtime and query
 * what it registered. Every evaluation fails on any failed registration (see plan/runtime).
 */
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type PlatformConfig, namespaceValues, parseConfig } from "../../config/platform";
import { type PlanRun, planStack } from "../../plan/plan";
import { type Evaluation, type RecordedResource, evaluate } from "../../plan/runtime";
import { projectRoot } from "../../plan/stackConfig";
import { type StackConfig, readStack } from "../../plan/stackConfig";
import { isRegionalAwsType } from "../../policy/common";

export { promiseOf } from "../../plan/runtime";

/** The prod stack's config as the CLI reads it. */
export function prodStack(): StackConfig {
    return readStack(projectRoot(), "prod");
}

export function prodConfig(): PlatformConfig {
    const stack = prodStack();
    return parseConfig(namespaceValues(stack.config), stack.config["aws:region"]);
}

/** A stack config with some `platform:` values replaced (objects given as values, not JSON). */
export function withConfig(base: StackConfig, overrides: Record<string, unknown>): StackConfig {
    const config = { ...base.config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete config[key];
        else config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { ...base, config };
}

const plans = new Map<string, Promise<PlanRun>>();

/** Plans a stack once per distinct config and shares the result between test files. */
export function planOf(stack: StackConfig): Promise<PlanRun> {
    const key = JSON.stringify([stack.stack, stack.config]);
    if (!plans.has(key)) plans.set(key, planStack(stack));
    return plans.get(key)!;
}

/**
 * Evaluates `build` (which declares a component) under the mock runtime, with the one
 * AWS provider the program uses, and returns what was registered.
 */
export function evaluateComponent(
    build: (opts: pulumi.ComponentResourceOptions) => unknown,
    config: Record<string, string> = {},
): Promise<Evaluation> {
    return evaluate({ stack: "test", config: { "aws:region": "us-east-1", ...config } }, () => {
        const provider = new aws.Provider("aws", { region: "us-east-1" });
        return build({ providers: [provider] });
    });
}

/** A component's constructor, as `evaluateOf` calls it. */
export type ComponentClass<A> = new (name: string, args: A, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/** Evaluates one component, `new component(name, args)`, under the mock runtime. */
export function evaluateOf<A>(
    component: ComponentClass<A>,
    name: string,
    args: A,
    config: Record<string, string> = {},
): Promise<Evaluation> {
    return evaluateComponent((opts) => new component(name, args, opts), config);
}

/** Exactly `count` regional AWS resources, every one of them in `region`. */
export function assertAllInRegion(ev: Evaluation, region: string, count: number): void {
    const regional = ev.resources.filter(isRegionalAws);
    assert.deepEqual(
        { count: regional.length, elsewhere: regional.filter((r) => r.inputs.region !== region).map((r) => r.urn) },
        { count, elsewhere: [] },
    );
}

export function ofType(ev: Evaluation, type: string): RecordedResource[] {
    return ev.resources.filter((r) => r.type === type);
}

/** The one resource of `type` named `name`; fails listing the names there are. */
export function one(ev: Evaluation, type: string, name: string): RecordedResource {
    const found = ofType(ev, type).filter((r) => r.name === name);
    assert.equal(
        found.length,
        1,
        `expected one ${type} named ${name}; have: ${
            ofType(ev, type)
                .map((r) => r.name)
                .join(", ") || "none"
        }`,
    );
    return found[0];
}

export function assertUniqueUrns(resources: readonly { urn: string }[]): void {
    const seen = new Set<string>();
    const dupes = resources.filter((r) => (seen.has(r.urn) ? true : (seen.add(r.urn), false))).map((r) => r.urn);
    assert.deepEqual(dupes, [], "every URN of a plan is unique");
}

/** Regional AWS resources: custom resources of a regional AWS type, by the policy pack's own rule. */
export function isRegionalAws(resource: RecordedResource): boolean {
    return resource.custom && isRegionalAwsType(resource.type);
}

export const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Kubernetes provider for components that take one; the mock runtime never contacts its (empty) cluster. */
export function k8sProvider(): k8s.Provider {
    return new k8s.Provider("k8s", { kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n" });
}

/** The JSON policy document a resource was declared with, in its input `key`. */
export function policyOf(resource: RecordedResource, key = "policy"): { Statement: Record<string, unknown>[] } {
    return JSON.parse(resource.inputs[key] as string);
}

/** A Helm release as `chart@version from repo in namespace` (its repositoryOpts hold the repo only), for one comparison. */
export function chartOf(release: RecordedResource): string {
    const { chart, version, repositoryOpts, namespace } = release.inputs as Record<string, any>;
    assert.deepEqual(Object.keys(repositoryOpts), ["repo"], `${release.name}: repositoryOpts`);
    return `${chart}@${version} from ${repositoryOpts.repo} in ${namespace}`;
}

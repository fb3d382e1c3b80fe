/** A cloud rule's finding, reported like a mandatory policy finding: the resource, the rule, the fix. */
import { cloudRule } from "../../regions/cloudRules";
import { UNKNOWN } from "../runtime";

/** What the rules read of a planned resource (plan/plan.ts PlanResource has it all). */
export interface RuleResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string | null;
    readonly inputs: Record<string, unknown>;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges?: readonly string[];
    /** Absent in plan JSON written before dependencies were recorded (commit 9d24512's): none known. */
    readonly dependencies?: readonly string[];
}

export interface CloudRuleViolation {
    /** The rule's id in regions/cloudRules.ts. */
    readonly rule: string;
    readonly urn: string;
    /** What is wrong with this resource, then the rule's fix. */
    readonly message: string;
    /** Set when the finding is a known violation of another tier's code (plan/rules/known.ts): its entry. */
    readonly known?: string;
}

/** A finding of `rule` on `urn`: `what` (this resource's values), then the rule's fix and its source's short form. */
export function violation(rule: string, urn: string, what: string): CloudRuleViolation {
    const r = cloudRule(rule);
    return { rule, urn, message: `${what}. Fix: ${r.fix}` };
}

/** A plan's resources, as the rules read them. */
export type RuleResources = readonly RuleResource[];

/** The type tokens the rules read (the providers' resource types). */
export const T = {
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    eks: "aws:eks/cluster:Cluster",
    global: "aws:rds/globalCluster:GlobalCluster",
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    invocation: "aws:lambda/invocation:Invocation",
    subnet: "aws:ec2/subnet:Subnet",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    legacyRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    prefixList: "aws:ec2/managedPrefixList:ManagedPrefixList",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    binding: "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    notificationPolicy: "cloudflare:index/notificationPolicy:NotificationPolicy",
} as const;

export const ofType = (resources: RuleResources, type: string): RuleResource[] => resources.filter((r) => r.type === type);

/** A string input the plan knows: neither unknown (a preview) nor empty. */
export const knownString = (value: unknown): value is string => typeof value === "string" && value !== UNKNOWN && value !== "";

/**
 * True when `name` is `r`'s physical name: its explicit `nameInput` when it sets one, else the
 * logical name with Pulumi's random suffix (`<logical>-<7 hex>`: Pulumi docs, Resource names,
 * autonaming, https://www.pulumi.com/docs/iac/concepts/resources/names/).
 */
export function isPhysicalName(r: RuleResource, name: string, nameInput?: string): boolean {
    const explicit = nameInput === undefined ? undefined : r.inputs[nameInput];
    if (typeof explicit === "string") return explicit === name;
    const logical = r.urn.split("::").pop() ?? "";
    return name.startsWith(`${logical}-`) && /^[0-9a-f]{7}$/.test(name.slice(logical.length + 1));
}

/**
 * True when `r`, through `value` (an input holding another resource's id), refers to `candidate`:
 * by id where the plan records one, by physical name where it records none (plan JSON of commit
 * 9d24512), by dependency where the value is unknown (a first preview).
 */
export function refersTo(r: RuleResource, value: unknown, candidate: RuleResource, nameInput?: string): boolean {
    if (knownString(value)) {
        if (typeof candidate.id === "string" && candidate.id !== "") return candidate.id === value;
        return isPhysicalName(candidate, value, nameInput);
    }
    return (r.dependencies ?? []).includes(candidate.urn);
}

/** The one candidate `r` refers to through its input `input` (`refersTo`), or undefined when none or several do. */
export function referenced(r: RuleResource, input: string, candidates: RuleResources, nameInput?: string): RuleResource | undefined {
    const matches = candidates.filter((c) => refersTo(r, r.inputs[input], c, nameInput));
    return matches.length === 1 ? matches[0] : undefined;
}

/** A resource's input at a dotted path (`scalingConfig.desiredSize`, `spec.targetGroupARN`, `a[0].b`). */
export function inputAt(inputs: unknown, path: string): unknown {
    let value: unknown = inputs;
    for (const part of splitPath(path)) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<string, unknown>)[part];
    }
    return value;
}

/** `a.b[0]["c.d"]` → ["a", "b", "0", "c.d"] (the engine's property-path syntax, as ignoreChanges takes it). */
export function splitPath(path: string): string[] {
    const parts: string[] = [];
    const re = /([^.[\]]+)|\[(\d+|\*)\]|\["([^"]*)"\]/g;
    for (const m of path.matchAll(re)) parts.push(m[1] ?? m[2] ?? m[3]);
    return parts;
}

/**
 * The inputs the engine sends for an update: `after`, with every `ignoreChanges` path given its
 * value in `before` (removed where `before` has none), as the engine applies ignoreChanges.
 */
export function withIgnoredKept(
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    paths: readonly string[],
): Record<string, unknown> {
    let result: Record<string, unknown> = after;
    for (const path of paths) {
        const parts = splitPath(path);
        if (parts.length === 0 || parts.includes("*")) continue;
        result = setAt(result, parts, inputAt(before, path));
    }
    return result;
}

function setAt(value: Record<string, unknown>, parts: readonly string[], leaf: unknown): Record<string, unknown> {
    const [head, ...rest] = parts;
    const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
    if (rest.length === 0) {
        if (leaf === undefined) delete copy[head];
        else copy[head] = leaf;
        return copy;
    }
    const inner = copy[head];
    copy[head] = setAt(inner !== null && typeof inner === "object" ? (inner as Record<string, unknown>) : {}, rest, leaf);
    return copy;
}

/**
 * The transition rules of regions/cloudRules.ts, checked on a comparison: each resource that
 * `before` and `after` both declare (same URN) is updated with `after`'s inputs, except the paths
 * in `after`'s `ignoreChanges`, which keep `before`'s value (what the engine sends).
 */
import { isDeepStrictEqual } from "node:util";
import { UNKNOWN } from "../runtime";
import {
    type CloudRuleViolation,
    type RuleResource,
    T,
    inputAt,
    isPhysicalName,
    ofType,
    refersTo,
    violation,
    withIgnoredKept,
} from "./violation";

/**
 * A target group's replace-triggering inputs (ForceNew in terraform-provider-aws
 * internal/service/elbv2/target_group.go, as regions/cloudRules.ts cites): a change gives it a new ARN.
 */
export const TARGET_GROUP_REPLACE_TRIGGERS = [
    "region",
    "name",
    "namePrefix",
    "port",
    "protocol",
    "protocolVersion",
    "targetType",
    "vpcId",
    "ipAddressType",
] as const;

/** A global database's member cluster and the version it runs when the update starts (a new one: the version it is created with). */
interface Member {
    readonly urn: string;
    readonly globalCluster: unknown;
    readonly engineVersion: unknown;
}

interface Update {
    readonly before: RuleResource;
    readonly after: RuleResource;
    /** The inputs the engine sends: `after`'s, ignored paths kept at `before`'s value. */
    readonly sent: Record<string, unknown>;
}

const num = (value: unknown) => (typeof value === "number" ? value : undefined);

function minor(version: unknown): [number, number] | undefined {
    const m = typeof version === "string" ? /^(\d+)\.(\d+)/.exec(version) : null;
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function nodeGroup({ after, sent }: Update): CloudRuleViolation[] {
    const min = num(inputAt(sent, "scalingConfig.minSize"));
    const max = num(inputAt(sent, "scalingConfig.maxSize"));
    const desired = num(inputAt(sent, "scalingConfig.desiredSize"));
    if (min === undefined || max === undefined || desired === undefined) return [];
    if (desired >= min && desired <= max) return [];
    const ignored = after.ignoreChanges.includes("scalingConfig.desiredSize");
    return [
        violation(
            "eks-nodegroup-scaling-bounds",
            after.urn,
            `the update sends minSize ${min}, maxSize ${max} with desiredSize ${desired}${ignored ? " (ignored: the value the stack already has)" : ""}; EKS refuses a desired size outside [min, max]`,
        ),
    ];
}

function eksVersion({ before, after, sent }: Update): CloudRuleViolation[] {
    const from = minor(before.inputs.version);
    const to = minor(sent.version);
    if (!from || !to || isDeepStrictEqual(from, to)) return [];
    const steps = (to[0] - from[0]) * 1000 + (to[1] - from[1]);
    if (steps === 1) return [];
    return [
        violation(
            "eks-version-one-minor",
            after.urn,
            `version ${String(before.inputs.version)} → ${String(sent.version)} is ${steps < 0 ? "a downgrade" : `${steps} minor versions at once`}`,
        ),
    ];
}

/** A member cluster's or instance's version in an update ("16.10" → [16, 10]). */
const engineOf = minor;

/** The primary member: the only one that names the master user (a secondary inherits it from the global cluster and must not). */
const isPrimaryMember = (r: RuleResource) => r.type === T.cluster && r.inputs.masterUsername !== undefined;

/**
 * A global database's member alone may take a minor upgrade, the secondaries before the primary
 * (regions/cloudRules.ts, aurora-global-member-upgraded-alone): refused are an instance's own
 * version change (an instance follows its cluster), a member's major or downgrade, and the
 * primary sent a version a secondary does not run yet.
 */
function auroraMember(
    { before, after, sent }: Update,
    members: ReadonlySet<string>,
    running: ReadonlyMap<string, Member>,
): CloudRuleViolation[] {
    if (!members.has(after.urn)) return [];
    if (isDeepStrictEqual(before.inputs.engineVersion, sent.engineVersion)) return [];
    const change = `engineVersion ${String(before.inputs.engineVersion)} → ${String(sent.engineVersion)} is sent to this member of a global database`;
    const from = engineOf(before.inputs.engineVersion);
    const to = engineOf(sent.engineVersion);
    const refuse = (why: string) => [violation("aurora-global-member-upgraded-alone", after.urn, `${change}: ${why}`)];
    if (after.type !== T.cluster) return refuse("an instance's version follows its cluster's (engineVersion is not in its ignoreChanges)");
    if (!from || !to) return [];
    if (from[0] !== to[0]) return refuse("a major upgrade is done on the global cluster, never on a member alone");
    if (to[1] < from[1]) return refuse("Aurora cannot downgrade an engine");
    if (!isPrimaryMember(after)) return [];
    const behind = [...running.values()].filter((m) => {
        if (m.urn === after.urn || m.globalCluster !== after.inputs.globalClusterIdentifier) return false;
        const v = engineOf(m.engineVersion);
        return v !== undefined && (v[0] < to[0] || (v[0] === to[0] && v[1] < to[1]));
    });
    if (behind.length === 0) return [];
    return refuse(
        `the primary would run it before the secondary ${behind.map((m) => `${m.urn.split("::").pop()} (running ${String(m.engineVersion)})`).join(", ")}, which this update sends after the primary if at all; AWS refuses it ("upgrade global replicas first"): upgrade the secondaries in an update before`,
    );
}

/**
 * The target group a binding's `spec.targetGroupARN` names, for plans without dependencies: an ARN
 * `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>` (Elastic Load Balancing
 * API Reference, TargetGroup.TargetGroupArn) carries the group's physical name.
 */
function groupsByArn(arn: unknown, groups: readonly RuleResource[]): string[] {
    const m = typeof arn === "string" ? /:targetgroup\/([^/]+)\//.exec(arn) : null;
    return m ? groups.filter((g) => isPhysicalName(g, m[1], "name")).map((g) => g.urn) : [];
}

function targetGroupBinding(
    { before, after, sent }: Update,
    replacedGroups: ReadonlySet<string>,
    targetGroups: readonly RuleResource[],
): CloudRuleViolation[] {
    const replaces = (after.replaceOnChanges ?? []).some((p) => p === "spec.targetGroupARN" || p === "spec.*" || p === "*");
    if (replaces) return [];
    const arnChanged = !isDeepStrictEqual(inputAt(before.inputs, "spec.targetGroupARN"), inputAt(sent, "spec.targetGroupARN"));
    const linked = after.dependencies ?? groupsByArn(inputAt(before.inputs, "spec.targetGroupARN"), targetGroups);
    const groups = linked.filter((d) => replacedGroups.has(d));
    if (!arnChanged && groups.length === 0) return [];
    return [
        violation(
            "k8s-immutable-target-group-arn",
            after.urn,
            arnChanged
                ? "spec.targetGroupARN changes in place"
                : `its target group ${groups.join(", ")} is replaced (a new ARN), so spec.targetGroupARN changes in place`,
        ),
    ];
}

/**
 * A member cluster's global database changed in place: the provider adds no existing cluster to a
 * global cluster and moves none between two (terraform-provider-aws internal/service/rds/cluster.go,
 * resourceClusterUpdate); only leaving one (to "") is an update.
 */
function globalMembership({ before, after, sent }: Update): CloudRuleViolation[] {
    const from = before.inputs.globalClusterIdentifier;
    const to = sent.globalClusterIdentifier;
    if (typeof to !== "string" || to === "" || to === UNKNOWN || from === UNKNOWN || from === to) return [];
    if ((after.replaceOnChanges ?? []).some((p) => p === "globalClusterIdentifier" || p === "*")) return [];
    const standalone = from === undefined || from === "";
    return [
        violation(
            "aurora-cluster-global-membership-in-place",
            after.urn,
            standalone
                ? `globalClusterIdentifier "" → ${to} in place: "existing RDS Clusters cannot be added to an existing RDS Global Cluster"`
                : `globalClusterIdentifier ${String(from)} → ${to} in place: "existing RDS Clusters cannot be migrated between existing RDS Global Clusters"`,
        ),
    ];
}

/** The writer guard's event (components/data/writerGuard.ts writerGuardEvent) in an invocation's input, when it is one. */
function guardEvent(invocation: RuleResource): { clusterIdentifier?: unknown; keep?: unknown } | undefined {
    const input = invocation.inputs.input;
    if (typeof input !== "string" || input === UNKNOWN) return undefined;
    try {
        const event = JSON.parse(input) as { clusterIdentifier?: unknown; keep?: unknown };
        return event && typeof event === "object" && Array.isArray(event.keep) ? event : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Instances deleted from a cluster that stays: any of them may be the writer (a failover moves
 * it), and deleting the writer fails the cluster over, writes stopping meanwhile. The update must
 * first move the writer to an instance that stays: a writer guard invocation for that cluster,
 * run by this update (new, or its input changed: a replacement), whose `keep` leaves the deleted
 * instances out. With its input unknown (a preview) a guard that depends on the cluster counts. An
 * instance replaced under the same URN is not a deletion here: its new identifier changes the
 * guard's input, so the guard runs anyway.
 */
function scaleInViolations(
    before: readonly RuleResource[],
    after: readonly RuleResource[],
    old: ReadonlyMap<string, RuleResource>,
    afterUrns: ReadonlySet<string>,
): CloudRuleViolation[] {
    const clusters = before.filter((r) => r.type === T.cluster && afterUrns.has(r.urn));
    const removed = before.filter((r) => r.type === T.instance && !afterUrns.has(r.urn));
    if (removed.length === 0) return [];
    // The guards this update runs: new, or their input changed (a replacement). A preview plans both
    // sides with the input unknown (it is built from ids): an unknown one counts by its dependency.
    const running = ofType(after, T.invocation)
        .filter((g) => g.inputs.input === UNKNOWN || !isDeepStrictEqual(old.get(g.urn)?.inputs.input, g.inputs.input))
        .map((g) => ({ g, event: guardEvent(g) }));
    const out: CloudRuleViolation[] = [];
    for (const cluster of clusters) {
        const deleted = removed.filter((i) => refersTo(i, i.inputs.clusterIdentifier, cluster, "clusterIdentifier"));
        if (deleted.length === 0) continue;
        const current = after.find((r) => r.urn === cluster.urn)!;
        const runs = running.some(({ g, event }) => {
            if (g.inputs.input === UNKNOWN) return (g.dependencies ?? []).includes(cluster.urn);
            if (!event) return false;
            const keep = event.keep as unknown[];
            return (
                refersTo(g, event.clusterIdentifier, current, "clusterIdentifier") &&
                deleted.every((i) => !keep.some((k) => typeof k === "string" && refersTo(g, k, i, "identifier")))
            );
        });
        if (!runs)
            out.push(
                ...deleted.map((i) =>
                    violation(
                        "aurora-scale-in-moves-writer",
                        i.urn,
                        `the update deletes this instance of ${cluster.urn.split("::").pop()} and nothing moves the writer off it first`,
                    ),
                ),
            );
    }
    return out;
}

/** Every transition rule's findings on before → after. */
export function transitionViolations(
    before: { readonly resources: readonly RuleResource[] },
    after: { readonly resources: readonly RuleResource[] },
): CloudRuleViolation[] {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const updates: Update[] = after.resources
        .filter((r) => old.has(r.urn))
        .map((r) => {
            const previous = old.get(r.urn)!;
            return { before: previous, after: r, sent: withIgnoredKept(previous.inputs, r.inputs, r.ignoreChanges) };
        });
    const globalMembers = new Set(
        after.resources.filter((r) => r.type === T.cluster && typeof r.inputs.globalClusterIdentifier === "string").map((r) => r.urn),
    );
    // A member cluster's instances follow it (by id, else by dependency).
    const memberIds = new Set(
        after.resources.filter((r) => globalMembers.has(r.urn) && r.id !== null && r.id !== undefined).map((r) => r.id),
    );
    for (const r of after.resources)
        if (
            r.type === T.instance &&
            (memberIds.has(r.inputs.clusterIdentifier as string) || (r.dependencies ?? []).some((d) => globalMembers.has(d)))
        )
            globalMembers.add(r.urn);
    // What each member runs when the primary's update starts: a secondary depends on the primary
    // (components/data/databaseMember.ts, readyForSecondaries), so in one update the primary goes
    // first and its secondaries still run their old version; a new member is created at its own.
    const memberVersions = new Map<string, Member>(
        after.resources
            .filter((r) => r.type === T.cluster && globalMembers.has(r.urn))
            .map((r) => {
                const inputs = old.get(r.urn)?.inputs ?? r.inputs;
                return [r.urn, { urn: r.urn, globalCluster: r.inputs.globalClusterIdentifier, engineVersion: inputs.engineVersion }];
            }),
    );
    const afterUrns = new Set(after.resources.map((r) => r.urn));
    const beforeUrns = new Set(before.resources.map((r) => r.urn));
    const oldGroups = ofType(before.resources, T.targetGroup);
    const replacedGroups = new Set([
        ...updates
            .filter(
                (u) =>
                    u.after.type === T.targetGroup &&
                    TARGET_GROUP_REPLACE_TRIGGERS.some((k) => !isDeepStrictEqual(u.before.inputs[k], u.sent[k])),
            )
            .map((u) => u.after.urn),
        // A target group removed or added (renamed) also gives its bindings a new ARN.
        ...oldGroups.filter((r) => !afterUrns.has(r.urn)).map((r) => r.urn),
        ...after.resources.filter((r) => r.type === T.targetGroup && !beforeUrns.has(r.urn)).map((r) => r.urn),
    ]);
    const updated = updates.flatMap((u) => {
        switch (u.after.type) {
            case T.nodeGroup:
                return nodeGroup(u);
            case T.eks:
                return eksVersion(u);
            case T.cluster:
                return [...auroraMember(u, globalMembers, memberVersions), ...globalMembership(u)];
            case T.instance:
                return auroraMember(u, globalMembers, memberVersions);
            case T.binding:
                return targetGroupBinding(u, replacedGroups, oldGroups);
            default:
                return [];
        }
    });
    return [...updated, ...scaleInViolations(before.resources, after.resources, old, afterUrns)];
}

/**
 * The cross-stack check: every stack of this repository (`Pulumi.*.yaml`) planned, then each
 * rule of `CROSS_STACK_RULES` applied to every pair of stacks that shares the rule's scope (a
 * Cloudflare zone, a Cloudflare account, an AWS account): two stacks that both declare one of
 * the scope's singletons (a zone's entry-point ruleset of a phase, a pool name) would collide on
 * a real `pulumi up`, and the plan refuses them (exit 2), naming both files. A rule is data: its
 * scope, what a stack claims in it (read from the stack's planned resources), why two claims
 * collide and how to fix it, and its source; AWS physical-name rules go in the same table.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { type PlatformConfig, namespaceValues } from "../config/platform";
import { ConfigError } from "../config/problems";
import { parseStack } from "../stack/parse";
import { type Plan, type PlanResource, planStack } from "./plan";
import { type StackConfig, readStack } from "./stackConfig";

/** One stack as the rules see it: its file, its parsed config, what its plan declares. */
export interface PlannedStack {
    readonly stack: string;
    /** The stack's file, as messages name it (`Pulumi.staging.yaml`). */
    readonly file: string;
    readonly config: PlatformConfig;
    readonly resources: readonly PlanResource[];
}

/** A scope two stacks may share; `of` is undefined when the stack is outside every such scope. */
export interface Scope {
    /** "Cloudflare zone" */
    readonly kind: string;
    readonly of: (s: Pick<PlannedStack, "config">) => string | undefined;
}

export interface CrossStackRule {
    readonly name: string;
    readonly scope: Scope;
    /** What the stack declares that must be unique in the scope, one key each ("the ruleset of phase …"). */
    readonly claims: (s: PlannedStack) => readonly string[];
    /** Why two equal claims collide, and the fix. */
    readonly why: string;
    readonly source: string;
}

export const SCOPES = {
    cloudflareZone: { kind: "Cloudflare zone", of: (s) => s.config.cloudflare.zoneId },
    cloudflareAccount: { kind: "Cloudflare account", of: (s) => s.config.cloudflare.accountId },
    // The stacks' config does not say which AWS account a stack deploys to (its credentials do), and
    // staging and prod commonly share one (DESIGN.md, "Several stacks"): every pair is assumed to.
    awsAccount: { kind: "AWS account", of: () => AWS_ACCOUNT_ASSUMED },
} as const satisfies Record<string, Scope>;

export const AWS_ACCOUNT_ASSUMED = "of the stacks' credentials (not in config: assumed shared)";

/**
 * The input that is a resource's physical name, by AWS type token, where AWS makes that name
 * unique per account and region (per account for the global services: IAM, S3's bucket names
 * are even unique per partition). Given in the inputs only when the program chooses the name;
 * a resource Pulumi autonames (a random suffix) has no such input and cannot collide.
 */
export const AWS_PHYSICAL_NAME: Readonly<Record<string, string>> = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarmName",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyName",
    "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
    "aws:kms/alias:Alias": "name",
    "aws:opensearch/domain:Domain": "domainName",
    "aws:eks/cluster:Cluster": "name",
    "aws:rds/globalCluster:GlobalCluster": "globalClusterIdentifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:rds/proxy:Proxy": "name",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "name",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:elasticache/subnetGroup:SubnetGroup": "name",
    "aws:elasticache/parameterGroup:ParameterGroup": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:sns/topic:Topic": "name",
    "aws:lambda/function:Function": "name",
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:ec2/launchTemplate:LaunchTemplate": "name",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
};

/** `<region or global> <type> <name>` of every AWS resource whose physical name the program chose. */
export function awsPhysicalNames(resources: readonly PlanResource[]): string[] {
    return resources.flatMap((r) => {
        const key = AWS_PHYSICAL_NAME[r.type];
        const value = key === undefined ? undefined : r.inputs[key];
        if (typeof value !== "string") return [];
        const region = typeof r.inputs.region === "string" ? r.inputs.region : "global";
        return [`${r.type.split(":")[2]} ${value} (${region})`];
    });
}

const T = {
    ruleset: "cloudflare:index/ruleset:Ruleset",
    argo: "cloudflare:index/argoTieredCaching:ArgoTieredCaching",
    smart: "cloudflare:index/tieredCache:TieredCache",
    zoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
    loadBalancer: "cloudflare:index/loadBalancer:LoadBalancer",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
    alert: "cloudflare:index/notificationPolicy:NotificationPolicy",
} as const;

const ofType = (s: PlannedStack, type: string) => s.resources.filter((r) => r.type === type);
const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

export const CROSS_STACK_RULES: readonly CrossStackRule[] = [
    {
        name: "one-owner-per-zone-singleton",
        scope: SCOPES.cloudflareZone,
        claims: (s) => [
            ...ofType(s, T.ruleset)
                .filter((r) => r.inputs.kind === "zone")
                .map((r) => `the zone's entry-point ruleset of phase ${text(r.inputs.phase)}`),
            ...ofType(s, T.argo).map(() => "the zone's Tiered Cache setting"),
            ...ofType(s, T.smart).map(() => "the zone's Smart Tiered Cache topology"),
            ...ofType(s, T.zoneSetting).map((r) => `the zone setting ${text(r.inputs.settingId)}`),
        ],
        why: "a zone has one entry-point ruleset per phase and one value per setting: the second stack's `pulumi up` fails, or, imported, overwrites the first's rules (its origin-auth rule among them: every request then gets 403). Make one stack the zone's owner (platform:cloudflare.zoneTenants: [the other]) and the other its tenant (platform:cloudflare.zoneOwner)",
        source: "terraform-provider-cloudflare PR #2566 (one entry-point ruleset per phase and zone); API error 20217 (issues #2634, #6273)",
    },
    {
        name: "one-stack-per-hostname",
        scope: SCOPES.cloudflareZone,
        claims: (s) => [
            ...ofType(s, T.loadBalancer).map((r) => `the load balancer ${text(r.inputs.name)}`),
            ...ofType(s, T.dnsRecord).map((r) => `the DNS record ${text(r.inputs.type)} ${text(r.inputs.name)}`),
        ],
        why: "a hostname has one load balancer and one record of a type: give each stack its own platform:domain",
        source: "Cloudflare API: a zone load balancer's name is its hostname",
    },
    {
        name: "unique-account-names",
        scope: SCOPES.cloudflareAccount,
        claims: (s) => [
            ...ofType(s, T.pool).map((r) => `the load-balancer pool ${text(r.inputs.name)}`),
            ...ofType(s, T.alert).map((r) => `the notification policy ${text(r.inputs.name)}`),
        ],
        why: "pools and notification policies are account-wide, and the drill and operators find a stack's pools by name: give each stack its own platform:domain (pool names carry it)",
        source: "components/edge/edge.ts (pool names from regions/naming.ts poolName)",
    },
    {
        name: "unique-aws-physical-names",
        scope: SCOPES.awsAccount,
        claims: (s) => awsPhysicalNames(s.resources),
        why: "AWS names these once per account and region (IAM and S3 once per account): the second stack's `pulumi up` fails with AlreadyExists, or its alarms overwrite the first's (PutMetricAlarm replaces an alarm of the same name). Every physical name carries the stack (regions/naming.ts)",
        source: "AWS API references: PutMetricAlarm (AlarmName), CreateLogGroup (ResourceAlreadyExistsException), CreateAlias (AlreadyExistsException), OpenSearch CreateDomain (ResourceAlreadyExistsException)",
    },
];

/** Two stacks that share a scope, and what that means. */
export interface SharedScope {
    readonly kind: string;
    readonly id: string;
    readonly stacks: readonly string[];
}

export interface CrossStackReport {
    readonly shared: readonly SharedScope[];
    readonly problems: readonly string[];
}

/** Every scope (of the rules and of the zone tenancy) with the stacks in it, shared ones only. */
function sharedScopes(stacks: readonly Pick<PlannedStack, "stack" | "config">[]): SharedScope[] {
    const kinds = new Map<string, Scope>(CROSS_STACK_RULES.map((r) => [r.scope.kind, r.scope]));
    const shared: SharedScope[] = [];
    for (const scope of kinds.values()) {
        const byId = new Map<string, string[]>();
        for (const s of stacks) {
            const id = scope.of(s);
            if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), s.stack]);
        }
        for (const [id, members] of byId) if (members.length > 1) shared.push({ kind: scope.kind, id, stacks: members });
    }
    return shared;
}

/**
 * The zone's owner and its tenants agree, file by file: a tenant names an owner on its zone that
 * lists it back, an owner lists only stacks on its zone that name it, and every stack of a zone
 * states the same Cloudflare plan.
 */
export function tenancyProblems(stacks: readonly Pick<PlannedStack, "stack" | "file" | "config">[]): string[] {
    const byName = new Map(stacks.map((s) => [s.stack, s]));
    const problems: string[] = [];
    for (const s of stacks) {
        const cf = s.config.cloudflare;
        if (cf.zoneOwner !== undefined) {
            const owner = byName.get(cf.zoneOwner);
            if (!owner) problems.push(`${s.file}: platform:cloudflare.zoneOwner names ${cf.zoneOwner}, which has no stack file here`);
            else if (owner.config.cloudflare.zoneId !== cf.zoneId)
                problems.push(`${s.file} and ${owner.file}: ${s.stack} names ${owner.stack} its zone's owner, but their zoneIds differ`);
            else if (!owner.config.cloudflare.zoneTenants.includes(s.stack))
                problems.push(
                    `${s.file} and ${owner.file}: ${s.stack} names ${owner.stack} its zone's owner, but ${owner.stack}'s platform:cloudflare.zoneTenants does not list ${s.stack}: its rules (origin auth among them) would be on no ruleset; add it there`,
                );
        }
        for (const tenant of cf.zoneTenants) {
            const t = byName.get(tenant);
            if (!t) problems.push(`${s.file}: platform:cloudflare.zoneTenants lists ${tenant}, which has no stack file here`);
            else if (t.config.cloudflare.zoneOwner !== s.stack)
                problems.push(
                    `${s.file} and ${t.file}: ${s.stack} lists ${tenant} as a tenant of its zone, but ${tenant}'s platform:cloudflare.zoneOwner is ${t.config.cloudflare.zoneOwner ?? "unset"}; set it to ${s.stack}`,
                );
        }
    }
    for (const scope of sharedScopes(stacks).filter((x) => x.kind === SCOPES.cloudflareZone.kind)) {
        const members = scope.stacks.map((name) => byName.get(name)!);
        const plans = new Set(members.map((m) => m.config.cloudflare.plan));
        if (plans.size > 1)
            problems.push(
                `${members.map((m) => m.file).join(" and ")} share zone ${scope.id} but state different plans (${members.map((m) => `${m.stack}: ${m.config.cloudflare.plan}`).join(", ")}): a zone has one plan`,
            );
    }
    return problems;
}

/** Applies every rule to every pair of stacks sharing its scope. */
export function crossStackReport(stacks: readonly PlannedStack[]): CrossStackReport {
    const problems: string[] = [];
    for (const rule of CROSS_STACK_RULES) {
        for (let i = 0; i < stacks.length; i++) {
            for (let j = i + 1; j < stacks.length; j++) {
                const [a, b] = [stacks[i], stacks[j]];
                const scope = rule.scope.of(a);
                if (scope === undefined || scope !== rule.scope.of(b)) continue;
                const theirs = new Set(rule.claims(b));
                const both = [...new Set(rule.claims(a).filter((claim) => theirs.has(claim)))];
                if (both.length > 0)
                    problems.push(
                        `${a.file} and ${b.file} share ${rule.scope.kind} ${scope} and both declare ${both.join(", ")} (${rule.name}): ${rule.why} [${rule.source}]`,
                    );
            }
        }
    }
    return { shared: sharedScopes(stacks), problems: [...tenancyProblems(stacks), ...problems] };
}

/** Stack names of every `Pulumi.<stack>.yaml` in `root`. */
export function repositoryStackNames(root: string): string[] {
    return readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Plans every stack of `names` (the current one as given, the others from their files, each
 * once: a zone owner's tenants are reused), then applies the rules. A stack whose file does not
 * exist, or whose config is invalid, is a problem of the set, named by its file.
 */
export async function checkStacks(
    root: string,
    names: readonly string[],
    current: { readonly stack: StackConfig; readonly plan: Plan; readonly config: PlatformConfig },
    plans: Map<string, Plan>,
): Promise<CrossStackReport> {
    const planned: PlannedStack[] = [];
    const problems: string[] = [];
    const fileOf = (name: string) => (name === current.stack.stack ? path.basename(current.stack.source) : `Pulumi.${name}.yaml`);
    plans.set(current.stack.stack, current.plan);
    for (const name of new Set([current.stack.stack, ...names])) {
        if (name !== current.stack.stack && !existsSync(path.join(root, `Pulumi.${name}.yaml`))) {
            problems.push(`Pulumi.${name}.yaml does not exist (named by --stacks)`);
            continue;
        }
        try {
            if (name === current.stack.stack) {
                planned.push({ stack: name, file: fileOf(name), config: current.config, resources: current.plan.resources });
                continue;
            }
            const stack = readStack(root, name);
            // A zone owner's plan already planned its tenants: their plans are reused.
            const known = plans.get(name);
            const config = known ? parseStack(namespaceValues(stack.config), stack.config["aws:region"]).config : undefined;
            const run = known ? undefined : await planStack(stack, { plans });
            const plan = known ?? run!.plan;
            plans.set(name, plan);
            planned.push({ stack: name, file: fileOf(name), config: config ?? run!.config, resources: plan.resources });
        } catch (err) {
            if (err instanceof ConfigError) problems.push(`${fileOf(name)} is not a valid stack config:\n${err.message}`);
            else throw err;
        }
    }
    const report = crossStackReport(planned);
    return { shared: report.shared, problems: [...problems, ...report.problems] };
}

/** What the plan prints: which stacks share which scope. */
export function formatShared(report: CrossStackReport, checked: readonly string[]): string {
    const lines = report.shared.map((s) => `  ${s.kind} ${s.id}: ${s.stacks.join(", ")}`);
    return [
        `Cross-stack check (${checked.join(", ")}): ${report.problems.length === 0 ? "no collision" : `${report.problems.length} problem(s)`}`,
        ...(lines.length ? lines : ["  no scope is shared"]),
        "  AWS account: not in the stacks' config (each stack deploys to its credentials' account); assumed shared, so no two stacks may share a physical name",
    ].join("\n");
}

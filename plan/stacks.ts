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
import { PHYSICAL_NAMES } from "../regions/cloudRules";
import { parseStack } from "../stack/parse";
import { type Plan, type PlanResource, planStack } from "./plan";
import { KNOWN_VIOLATIONS, type KnownViolation, knownEntry } from "./rules/known";
import { inputAt } from "./rules/violation";
import { UNKNOWN } from "./runtime";
import { type StackConfig, readStack } from "./stackConfig";

/** One stack as the rules see it: its file, its parsed config, what its plan declares. */
export interface PlannedStack {
    readonly stack: string;
    /** The stack's file, as messages name it (`Pulumi.staging.yaml`). */
    readonly file: string;
    readonly config: PlatformConfig;
    readonly resources: readonly PlanResource[];
    /**
     * The AWS accounts the stack may deploy to (`aws:allowedAccountIds`); undefined when the file
     * does not say, and then it may share an account with any stack.
     */
    readonly awsAccounts?: readonly string[];
}

/** A scope two stacks may share; `of` is undefined when the stack is outside every such scope. */
export interface Scope {
    /** "Cloudflare zone" */
    readonly kind: string;
    readonly of: (s: Pick<PlannedStack, "config" | "awsAccounts">) => string | undefined;
    /** Whether two stacks share the scope, and which one (its id), when `of` alone cannot say. */
    readonly between?: (
        a: Pick<PlannedStack, "config" | "awsAccounts">,
        b: Pick<PlannedStack, "config" | "awsAccounts">,
    ) => string | undefined;
}

/** The shared AWS account of two stacks whose files do not both declare `aws:allowedAccountIds`. */
export const UNDECLARED_ACCOUNT = "(aws:allowedAccountIds not declared by both: assumed shared)";

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
    // Staging and prod commonly share an account: without aws:allowedAccountIds in both files the
    // plan cannot tell, and assumes they do.
    awsAccount: {
        kind: "AWS account",
        of: (s) => (s.awsAccounts?.length === 1 ? s.awsAccounts[0] : undefined),
        between: (a, b) => {
            if (a.awsAccounts === undefined || b.awsAccounts === undefined) return UNDECLARED_ACCOUNT;
            return a.awsAccounts.find((id) => b.awsAccounts!.includes(id));
        },
    },
} as const satisfies Record<string, Scope>;

/** What a stack names in its AWS account: one claim per explicit physical name of PHYSICAL_NAMES. */
export function physicalNameClaims(s: Pick<PlannedStack, "config" | "resources">): string[] {
    const claims: string[] = [];
    for (const r of s.resources) {
        const rule = PHYSICAL_NAMES[r.type];
        if (!rule) continue;
        for (const claim of [rule, ...(rule.more ?? [])]) {
            const name = inputAt(r.inputs, claim.input);
            if (typeof name !== "string" || name === UNKNOWN) continue;
            const region = typeof r.inputs.region === "string" ? r.inputs.region : s.config.awsRegion;
            const where = claim.scope === "region" ? ` in ${region}` : claim.scope === "account" ? " (account-wide)" : " (global)";
            claims.push(`${r.type.split(":")[2].split("/")[0] ?? r.type} ${claim.input} ${name}${where}`);
        }
    }
    return claims;
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
    ecrReplication: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
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
        source: "https://github.com/cloudflare/terraform-provider-cloudflare/pull/2566 (one entry-point ruleset per phase and zone); API error 20217 (issues #2634, #6273)",
    },
    {
        name: "one-stack-per-hostname",
        scope: SCOPES.cloudflareZone,
        claims: (s) => [
            ...ofType(s, T.loadBalancer).map((r) => `the load balancer ${text(r.inputs.name)}`),
            ...ofType(s, T.dnsRecord).map((r) => `the DNS record ${text(r.inputs.type)} ${text(r.inputs.name)}`),
        ],
        why: "a hostname has one load balancer and one record of a type: give each stack its own platform:domain",
        source: 'https://developers.cloudflare.com/api/resources/load_balancers/methods/create (name: "The DNS hostname to associate with your Load Balancer"; read 2026-12-03)',
    },
    {
        name: "unique-account-names",
        scope: SCOPES.cloudflareAccount,
        claims: (s) => [
            ...ofType(s, T.pool).map((r) => `the load-balancer pool ${text(r.inputs.name)}`),
            ...ofType(s, T.alert).map((r) => `the notification policy ${text(r.inputs.name)}`),
        ],
        why: "pools and notification policies are account-wide, and the drill and operators find a stack's pools by name: give each stack its own platform:domain (pool names carry it)",
        source: "https://developers.cloudflare.com/api/resources/load_balancers/subresources/pools/methods/create (POST /accounts/{account_id}/load_balancers/pools: pools are the account's; read 2026-12-03); names from regions/naming.ts poolName",
    },
    {
        name: "unique-aws-physical-names",
        scope: SCOPES.awsAccount,
        claims: physicalNameClaims,
        why: "AWS scopes these names per account and region (IAM per account, S3 globally): the second stack's create fails with AlreadyExists, or, for a CloudWatch alarm, silently overwrites the first stack's alarm. Put the stack in the name (regions/naming.ts), or leave the name to Pulumi's autonaming",
        source: "regions/cloudRules.ts PHYSICAL_NAMES (each type's API reference)",
    },
    {
        name: "one-registry-replication-owner",
        scope: SCOPES.awsAccount,
        claims: (s) =>
            ofType(s, T.ecrReplication).map((r) => `the ECR replication configuration of the registry in ${text(r.inputs.region)}`),
        why: "a registry has one replication configuration per region: the second stack's `pulumi up` replaces the first's rules (and its cells' replicas stop updating). Let one stack own it (platform:app.replicateImage: true, listing every stack's regions as its cells) and set platform:app.replicateImage: false in the others",
        source: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutReplicationConfiguration.html ("creates or updates the replication configuration for a registry", a registry being per account and region); components/compute/imageReplication.ts',
    },
];

/** Two stacks that share a scope, and what that means. */
export interface SharedScope {
    readonly kind: string;
    readonly id: string;
    readonly stacks: readonly string[];
}

export interface KnownCollision {
    /** The known entry's name. */
    readonly entry: string;
    readonly rule: string;
    readonly files: readonly [string, string];
    readonly claim: string;
}

export interface CrossStackReport {
    readonly shared: readonly SharedScope[];
    readonly problems: readonly string[];
    /** Collisions that match a known violation (plan/rules/known.ts): reported, not refused. */
    readonly known: readonly KnownCollision[];
}

/** Every scope (of the rules and of the zone tenancy) with the stacks in it, shared ones only. */
function sharedScopes(stacks: readonly Pick<PlannedStack, "stack" | "config" | "awsAccounts">[]): SharedScope[] {
    const kinds = new Map<string, Scope>(CROSS_STACK_RULES.map((r) => [r.scope.kind, r.scope]));
    const shared: SharedScope[] = [];
    for (const scope of kinds.values()) {
        if (scope.between) {
            for (let i = 0; i < stacks.length; i++)
                for (let j = i + 1; j < stacks.length; j++) {
                    const id = scope.between(stacks[i], stacks[j]);
                    if (id !== undefined) shared.push({ kind: scope.kind, id, stacks: [stacks[i].stack, stacks[j].stack] });
                }
            continue;
        }
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
export function crossStackReport(
    stacks: readonly PlannedStack[],
    knownViolations: readonly KnownViolation[] = KNOWN_VIOLATIONS,
): CrossStackReport {
    const problems: string[] = [];
    const known: KnownCollision[] = [];
    for (const rule of CROSS_STACK_RULES) {
        for (let i = 0; i < stacks.length; i++) {
            for (let j = i + 1; j < stacks.length; j++) {
                const [a, b] = [stacks[i], stacks[j]];
                const own = rule.scope.of(a);
                const scope = rule.scope.between
                    ? rule.scope.between(a, b)
                    : own !== undefined && own === rule.scope.of(b)
                      ? own
                      : undefined;
                if (scope === undefined) continue;
                const theirs = new Set(rule.claims(b));
                const both = [...new Set(rule.claims(a).filter((claim) => theirs.has(claim)))];
                // A collision of another tier's names that a change is fixing: reported as known.
                const isKnown = (claim: string) => knownEntry(rule.name, claim, knownViolations) !== undefined;
                const open = both.filter((claim) => !isKnown(claim));
                for (const claim of both.filter(isKnown))
                    known.push({
                        entry: knownEntry(rule.name, claim, knownViolations)!.name,
                        rule: rule.name,
                        files: [a.file, b.file],
                        claim,
                    });
                if (open.length > 0)
                    problems.push(
                        `${a.file} and ${b.file} share ${rule.scope.kind} ${scope} and both declare ${open.join(", ")} (${rule.name}): ${rule.why} [${rule.source}]`,
                    );
            }
        }
    }
    return { shared: sharedScopes(stacks), problems: [...tenancyProblems(stacks), ...problems], known };
}

/** `aws:allowedAccountIds` of a stack file: undefined when absent; a problem when it is not a list of 12-digit ids. */
export function allowedAccounts(stack: StackConfig): readonly string[] | undefined {
    const raw = stack.config["aws:allowedAccountIds"];
    if (raw === undefined) return undefined;
    let ids: unknown;
    try {
        ids = JSON.parse(raw);
    } catch {
        ids = undefined;
    }
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === "string" && /^\d{12}$/.test(id)))
        throw new ConfigError([
            {
                path: "aws:allowedAccountIds",
                message: `${raw} is not a list of 12-digit AWS account ids (the accounts this stack may deploy to)`,
            },
        ]);
    return ids as string[];
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
                planned.push({
                    stack: name,
                    file: fileOf(name),
                    config: current.config,
                    resources: current.plan.resources,
                    awsAccounts: allowedAccounts(current.stack),
                });
                continue;
            }
            const stack = readStack(root, name);
            // A zone owner's plan already planned its tenants: their plans are reused.
            const known = plans.get(name);
            const config = known ? parseStack(namespaceValues(stack.config), stack.config["aws:region"]).config : undefined;
            const run = known ? undefined : await planStack(stack, { plans });
            const plan = known ?? run!.plan;
            plans.set(name, plan);
            planned.push({
                stack: name,
                file: fileOf(name),
                config: config ?? run!.config,
                resources: plan.resources,
                awsAccounts: allowedAccounts(stack),
            });
        } catch (err) {
            if (err instanceof ConfigError) problems.push(`${fileOf(name)} is not a valid stack config:\n${err.message}`);
            else throw err;
        }
    }
    const report = crossStackReport(planned);
    return { shared: report.shared, problems: [...problems, ...report.problems], known: report.known };
}

/** What the plan prints: which stacks share which scope. */
export function formatShared(report: CrossStackReport, checked: readonly string[]): string {
    const lines = report.shared.map((s) => `  ${s.kind} ${s.id}: ${s.stacks.join(", ")}`);
    return [
        `Cross-stack check (${checked.join(", ")}): ${report.problems.length === 0 ? "no collision" : `${report.problems.length} problem(s)`}`,
        ...(lines.length ? lines : ["  no scope is shared"]),
        ...[...new Set(report.known.map((k) => `${k.entry} (${k.rule}, ${k.files.join(" and ")})`))].map(
            (entry) =>
                `  known violation ${entry}: ${report.known.filter((k) => entry.startsWith(`${k.entry} (`)).length} colliding names (plan/rules/known.ts)`,
        ),
    ].join("\n");
}

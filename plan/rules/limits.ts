/**
 * The plan rules of regions/cloudRules.ts (limits and names), checked on one plan's resources.
 * Relations are found by id where the plan has ids, else by dependency (a preview has no ids).
 */
import { AURORA_MAX_READERS, AURORA_MAX_SECONDARY_READERS, AURORA_MAX_SECONDARY_REGIONS } from "../../regions/awsLimits";
import { ALB_MAX_RULES, NAME_RULES, SECURITY_GROUP_MAX_RULES } from "../../regions/cloudRules";
import { operationsViolations } from "./operations";
import { type CloudRuleViolation, type RuleResource, type RuleResources, T, knownString, ofType, referenced, violation } from "./violation";

function auroraViolations(resources: RuleResources): CloudRuleViolation[] {
    const out: CloudRuleViolation[] = [];
    const clusters = ofType(resources, T.cluster);
    const instances = ofType(resources, T.instance);
    for (const global of ofType(resources, T.global)) {
        const id = global.inputs.globalClusterIdentifier;
        const members = clusters.filter(
            (c) => c.inputs.globalClusterIdentifier === id || (!knownString(id) && (c.dependencies ?? []).includes(global.urn)),
        );
        // Secondaries omit the master credentials and the database name; the primary has them.
        const primary = members.filter((c) => c.inputs.masterUsername !== undefined || c.inputs.databaseName !== undefined);
        const secondaries = members.length - primary.length;
        if (secondaries > AURORA_MAX_SECONDARY_REGIONS)
            out.push(
                violation(
                    "aurora-secondaries-per-global",
                    global.urn,
                    `${secondaries} secondary clusters join global cluster ${String(id)}; at most ${AURORA_MAX_SECONDARY_REGIONS}`,
                ),
            );
        for (const member of members) {
            const count = instances.filter((i) => referenced(i, "clusterIdentifier", clusters) === member).length;
            const isPrimary = primary.includes(member);
            const readers = isPrimary ? count - 1 : count;
            const max = isPrimary ? AURORA_MAX_READERS - secondaries : AURORA_MAX_SECONDARY_READERS;
            if (readers > max)
                out.push(
                    violation(
                        "aurora-instances-per-cluster",
                        member.urn,
                        isPrimary
                            ? `the primary cluster has ${readers} read-only instances with ${secondaries} secondaries; at most ${max}`
                            : `the secondary cluster has ${count} instances; at most ${max} in total`,
                    ),
                );
        }
    }
    return out;
}

/** One rule's weight in its security group's quota, per address family. */
function ruleWeight(rule: RuleResource, prefixLists: RuleResources): { ipv4: number; ipv6: number } {
    const i = rule.inputs;
    if (i.referencedSecurityGroupId !== undefined || i.sourceSecurityGroupId !== undefined) return { ipv4: 1, ipv6: 1 };
    if (i.prefixListId !== undefined || Array.isArray(i.prefixListIds)) {
        const list = referenced(rule, "prefixListId", prefixLists);
        const max = typeof list?.inputs.maxEntries === "number" ? list.inputs.maxEntries : 1;
        return list?.inputs.addressFamily === "IPv6" ? { ipv4: 0, ipv6: max } : { ipv4: max, ipv6: 0 };
    }
    if (i.cidrIpv6 !== undefined || Array.isArray(i.ipv6CidrBlocks))
        return { ipv4: 0, ipv6: Array.isArray(i.ipv6CidrBlocks) ? i.ipv6CidrBlocks.length : 1 };
    return { ipv4: Array.isArray(i.cidrBlocks) ? i.cidrBlocks.length : 1, ipv6: 0 };
}

function securityGroupViolations(resources: RuleResources): CloudRuleViolation[] {
    const groups = ofType(resources, T.sg);
    const prefixLists = ofType(resources, T.prefixList);
    const counts = new Map<string, { in4: number; in6: number; out4: number; out6: number }>();
    const add = (sg: RuleResource | undefined, inbound: boolean, w: { ipv4: number; ipv6: number }) => {
        if (!sg) return;
        const c = counts.get(sg.urn) ?? { in4: 0, in6: 0, out4: 0, out6: 0 };
        if (inbound) {
            c.in4 += w.ipv4;
            c.in6 += w.ipv6;
        } else {
            c.out4 += w.ipv4;
            c.out6 += w.ipv6;
        }
        counts.set(sg.urn, c);
    };
    for (const rule of [...ofType(resources, T.ingress), ...ofType(resources, T.egress), ...ofType(resources, T.legacyRule)]) {
        const inbound = rule.type === T.ingress || (rule.type === T.legacyRule && rule.inputs.type === "ingress");
        const sgId = rule.inputs.securityGroupId;
        const sg = knownString(sgId) ? groups.find((g) => g.id === sgId) : groups.find((g) => (rule.dependencies ?? []).includes(g.urn));
        add(sg, inbound, ruleWeight(rule, prefixLists));
    }
    for (const sg of groups) {
        for (const [key, inbound] of [
            ["ingress", true],
            ["egress", false],
        ] as const) {
            const inline = sg.inputs[key];
            if (Array.isArray(inline))
                for (const rule of inline) add(sg, inbound, ruleWeight({ ...sg, inputs: rule as Record<string, unknown> }, prefixLists));
        }
    }
    const out: CloudRuleViolation[] = [];
    for (const [urn, c] of counts) {
        const over = [
            ["inbound IPv4", c.in4],
            ["inbound IPv6", c.in6],
            ["outbound IPv4", c.out4],
            ["outbound IPv6", c.out6],
        ].filter(([, n]) => (n as number) > SECURITY_GROUP_MAX_RULES);
        if (over.length > 0)
            out.push(
                violation(
                    "security-group-rules",
                    urn,
                    `${over.map(([k, n]) => `${n} ${k} rules`).join(", ")} (prefix lists counted at their maxEntries); at most ${SECURITY_GROUP_MAX_RULES}`,
                ),
            );
    }
    return out;
}

function albRuleViolations(resources: RuleResources): CloudRuleViolation[] {
    const lbs = ofType(resources, T.lb).filter((lb) => (lb.inputs.loadBalancerType ?? "application") === "application");
    const listeners = ofType(resources, T.listener);
    const perLb = new Map<string, number>();
    for (const rule of ofType(resources, T.listenerRule)) {
        const listener = referenced(rule, "listenerArn", listeners);
        const lb = listener ? referenced(listener, "loadBalancerArn", lbs) : undefined;
        if (lb) perLb.set(lb.urn, (perLb.get(lb.urn) ?? 0) + 1);
    }
    return [...perLb]
        .filter(([, n]) => n > ALB_MAX_RULES)
        .map(([urn, n]) => violation("alb-rules", urn, `${n} listener rules on this load balancer; at most ${ALB_MAX_RULES}`));
}

function nameViolations(resources: RuleResources): CloudRuleViolation[] {
    const out: CloudRuleViolation[] = [];
    for (const rule of NAME_RULES) {
        for (const r of ofType(resources, rule.type)) {
            const name = r.inputs[rule.input];
            if (!knownString(name)) continue;
            if (name.length > rule.maxLength || !rule.pattern.test(name))
                out.push(violation(rule.id, r.urn, `${rule.input} "${name}" (${name.length} characters) is not ${rule.allowed}`));
        }
    }
    return out;
}

/** Every plan rule's findings on one plan. */
export function planRuleViolations(resources: RuleResources): CloudRuleViolation[] {
    return [
        ...auroraViolations(resources),
        ...securityGroupViolations(resources),
        ...albRuleViolations(resources),
        ...nameViolations(resources),
        ...operationsViolations(resources),
    ];
}

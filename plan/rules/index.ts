/**
 * The cloud rules (regions/cloudRules.ts) as the plan applies them: the plan rules on every
 * plan, the transition rules on every comparison; findings that match a known violation
 * (./known.ts) are reported apart and do not fail the plan.
 */
import { CLOUD_RULES, cloudRule } from "../../regions/cloudRules";
import { type KnownViolation, KNOWN_VIOLATIONS, knownEntry } from "./known";
import { planRuleViolations } from "./limits";
import { transitionViolations } from "./transitions";
import { type CloudRuleViolation, type RuleResource } from "./violation";

export { type CloudRuleViolation } from "./violation";

export interface CloudRuleReport {
    /** Findings that fail the plan (exit 1). */
    readonly violations: readonly CloudRuleViolation[];
    /** Findings that match a known violation: reported, not blocking. */
    readonly known: readonly CloudRuleViolation[];
}

export function classify(found: readonly CloudRuleViolation[], known: readonly KnownViolation[] = KNOWN_VIOLATIONS): CloudRuleReport {
    const violations: CloudRuleViolation[] = [];
    const matched: CloudRuleViolation[] = [];
    for (const v of found) {
        const entry = knownEntry(v.rule, v.urn, known);
        if (entry) matched.push({ ...v, known: entry.name });
        else violations.push(v);
    }
    return { violations, known: matched };
}

/** The plan rules on one plan's resources. */
export function checkPlanRules(resources: readonly RuleResource[]): CloudRuleReport {
    return classify(planRuleViolations(resources));
}

/** The transition rules on before → after. */
export function checkTransitionRules(
    before: { readonly resources: readonly RuleResource[] },
    after: { readonly resources: readonly RuleResource[] },
): CloudRuleReport {
    return classify(transitionViolations(before, after));
}

/** What the plan prints: each finding with its rule and source; nothing when there is none. */
export function formatCloudRules(report: CloudRuleReport, on: "plan" | "transition"): string {
    const heading = on === "plan" ? "Cloud rules" : "Cloud rules on the transition";
    const line = (v: CloudRuleViolation) => {
        const rule = cloudRule(v.rule);
        return `  [${v.known ? `known: ${v.known}` : "mandatory"}] ${v.rule} ${v.urn}\n      ${v.message}\n      rule: ${rule.rule} [${rule.source}]`;
    };
    return [
        `${heading}: ${report.violations.length} violation(s), ${report.known.length} known, ${CLOUD_RULES.filter((r) => r.on === on).length} rules checked`,
        ...report.violations.map(line),
        ...report.known.map(line),
    ].join("\n");
}

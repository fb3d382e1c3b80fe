/**
 * Known violations: findings of a cloud rule (or the cross-stack check) on today's code of a tier
 * that another change is fixing. Each entry names the rule, the resources it matches, the owner
 * and why; a finding it matches is reported as known (not blocking) instead of failing the plan.
 * The tests assert that every entry still matches something, so the entry is removed in the
 * change that fixes the code (and a rule finding anything else still fails).
 */
export interface KnownViolation {
    /** The entry's name, as reports and tests cite it. */
    readonly name: string;
    /** The rule id (regions/cloudRules.ts) or the cross-stack rule's name (plan/stacks.ts). */
    readonly rule: string;
    /** The URNs (or, cross-stack, the claims) it matches. */
    readonly matches: RegExp;
    /** Who fixes it, and the review finding it comes from. */
    readonly owner: string;
}

export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [];

/** The known entry that matches a finding of `rule` on `subject`, if any. */
export function knownEntry(rule: string, subject: string, known: readonly KnownViolation[] = KNOWN_VIOLATIONS): KnownViolation | undefined {
    return known.find((k) => k.rule === rule && k.matches.test(subject));
}

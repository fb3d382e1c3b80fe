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

export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [
    {
        // Not a cloud rule: the policies that cannot judge a first preview (they read an unknown
        // value and the engine reports "can't run" instead of their finding), matched on
        // `<policy> <urn>`; test/plan/preview.test.ts holds the list to the preview's notices.
        name: "policies-blind-in-preview",
        rule: "policy:can't run during preview",
        matches: /^(cloudflare-pool-has-monitor|elasticache-7-not-default-subnet-group) /,
        owner: "policy pack: read the pool's monitor and the replication group's subnetGroupName with whenKnown (an id that will exist is set) (obs-policy review finding 8)",
    },
    {
        name: "observability-names-without-stack",
        rule: "unique-aws-physical-names",
        matches:
            /^(MetricAlarm name [a-z0-9]+-obs-alarms-|LogGroup name \/aws\/opensearch\/[a-z0-9]+-obs-logs\/|Alias name alias\/[a-z0-9]+-obs-logs-opensearch |Domain domainName [a-z0-9]+-obs-logs )/,
        owner: "observability tier: the OpenSearch domain, its KMS alias and log groups, and the CloudWatch alarms are named by cell code only, so staging and prod collide in one account (issue 18: the OpenSearch domain name carries no stack)",
    },
];

/** The known entry that matches a finding of `rule` on `subject`, if any. */
export function knownEntry(rule: string, subject: string, known: readonly KnownViolation[] = KNOWN_VIOLATIONS): KnownViolation | undefined {
    return known.find((k) => k.rule === rule && k.matches.test(subject));
}

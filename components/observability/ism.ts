/**
 * Index State Management policy of the log domain: Fluent Bit writes one index per day
 * (Logstash_Format), and the policy deletes each index `retentionDays` after its creation.
 * Plain data: `pulumi up` applies it through the domain's REST API, from the log domain setup
 * function in the cell's VPC as the domain's master role (logDomainSetup.ts), again whenever
 * `opensearch.indexRetentionDays` changes.
 */

/** Index prefixes Fluent Bit writes (`<prefix>-YYYY.MM.DD`). */
export const LOG_INDEX_PREFIXES = { containers: "kube", nodes: "node" } as const;

export const ISM_POLICY_ID = "platform-log-retention";

/** `kube-*`, `node-*`: the indices Fluent Bit writes, which the ISM policy manages and its writer role may write. */
export function logIndexPatterns(): string[] {
    return Object.values(LOG_INDEX_PREFIXES).map((p) => `${p}-*`);
}

export function ismPolicy(retentionDays: number): Record<string, unknown> {
    return {
        policy: {
            description: `Delete log indices ${retentionDays} days after creation`,
            default_state: "hot",
            states: [
                { name: "hot", actions: [], transitions: [{ state_name: "delete", conditions: { min_index_age: `${retentionDays}d` } }] },
                { name: "delete", actions: [{ delete: {} }], transitions: [] },
            ],
            // New daily indices pick the policy up automatically.
            ism_template: [{ index_patterns: logIndexPatterns(), priority: 100 }],
        },
    };
}

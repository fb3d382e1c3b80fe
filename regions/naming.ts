/**
 * Physical names the program gives things outside Pulumi's own naming, in one place: the
 * program declares them, and the drill and the docs find them by the same rule.
 */

/** The EKS cluster of a cell: `<project>-<stack>-<code>`, unique per account and region. */
export function clusterName(project: string, stack: string, code: string): string {
    return `${project}-${stack}-${code}`;
}

/** The Aurora global cluster of a stack: `<project>-<stack>`, unique per account. */
export function globalDatabaseIdentifier(project: string, stack: string): string {
    return `${project}-${stack}`;
}

/** A name Cloudflare accepts for a pool (alphanumerics, "-" and "_"), unique per stack through the domain. */
export function poolName(domain: string, code: string): string {
    return `${domain.replace(/[^A-Za-z0-9_-]/g, "-")}-${code}`;
}

/**
 * The prefix of a cell's physical names that AWS scopes per account and region (CloudWatch
 * alarms): `<project>-<stack>-<code>`, so that two stacks in one account never share one.
 */
export function cellPhysicalPrefix(project: string, stack: string, code: string): string {
    return `${project}-${stack}-${code}`;
}

/**
 * A cell's OpenSearch domain: `<stack>-<code>-logs` (the project is left out: a domain name has
 * at most 28 characters). Its KMS alias, log groups and log policy are named after it.
 */
export function logDomainName(stack: string, code: string): string {
    return `${stack}-${code}-logs`;
}

/** OpenSearch DomainName: 3-28 characters, `[a-z][a-z0-9\-]+` (OpenSearch API reference, DomainInfo, read 2026-12-02). */
const OPENSEARCH_DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;

/**
 * Why `stack` cannot name this program's physical resources, if it cannot: the OpenSearch
 * domain of every cell must be a valid domain name, which bounds the stack name's length and
 * characters. Empty when every name is valid.
 */
export function stackNameProblems(stack: string, codes: readonly string[]): string[] {
    const bad = codes.map((code) => logDomainName(stack, code)).filter((n) => !OPENSEARCH_DOMAIN_NAME.test(n));
    return bad.length === 0
        ? []
        : [
              `stack name "${stack}" cannot name the OpenSearch domains ${bad.map((n) => `"${n}"`).join(", ")}: a domain name is 3-28 characters, a lower-case letter then lower-case letters, digits and hyphens; use a stack name of lower-case letters, digits and hyphens, at most ${28 - "-apse1-logs".length} characters`,
          ];
}

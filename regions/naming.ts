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

/**
 * The few Cloudflare load-balancing calls a drill makes (list pools, pool health, enable or
 * disable a pool), through the official `cloudflare` client. The base URL is overridable so
 * that tests point it at a loopback stand-in.
 */
import Cloudflare from "cloudflare";

export interface PoolInfo {
    readonly id: string;
    readonly name: string;
    readonly enabled: boolean;
    readonly description?: string;
}

export interface PoolHealth {
    /**
     * As Cloudflare judges it: healthy when a majority of the reporting regions (or, when the
     * answer is keyed by data centre, of the reporting data centres) see it healthy; null when
     * none reports.
     */
    readonly healthy: boolean | null;
    /** Entries of `pop_health` that reported. */
    readonly locations: number;
}

export interface PoolApi {
    list(): Promise<PoolInfo[]>;
    health(id: string): Promise<PoolHealth>;
    /** PATCH `enabled`; returns the pool as the API answers. */
    setEnabled(id: string, enabled: boolean): Promise<PoolInfo>;
}

export interface PoolApiOptions {
    readonly token: string;
    readonly accountId: string;
    /** e.g. http://127.0.0.1:PORT/client/v4; @default the library's (env CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4) */
    readonly baseURL?: string;
    /** The client's own retries on 408/409/429/5xx and connection errors. @default 2 */
    readonly maxRetries?: number;
    /** @default 30000 */
    readonly timeoutMs?: number;
}

/** A drill-stopping problem with the API or the pools, in one line. */
export class PoolError extends Error {}

export function cloudflarePools(options: PoolApiOptions): PoolApi {
    const client = new Cloudflare({
        apiToken: options.token,
        // Only the token: a Global API key in the environment must not ride along.
        apiKey: null,
        apiEmail: null,
        userServiceKey: null,
        baseURL: options.baseURL,
        maxRetries: options.maxRetries ?? 2,
        timeout: options.timeoutMs ?? 30_000,
        logLevel: "off",
    });
    const account_id = options.accountId;
    const info = (pool: Cloudflare.LoadBalancers.Pool): PoolInfo => ({
        id: pool.id ?? "",
        name: pool.name ?? "",
        enabled: pool.enabled !== false,
        description: pool.description,
    });
    return {
        async list() {
            const pools: PoolInfo[] = [];
            for await (const pool of client.loadBalancers.pools.list({ account_id })) pools.push(info(pool));
            return pools;
        },
        async health(id) {
            const health = await client.loadBalancers.pools.health.get(id, { account_id });
            return readHealth(health.pop_health);
        },
        async setEnabled(id, enabled) {
            return info(await client.loadBalancers.pools.edit(id, { account_id, enabled }));
        },
    };
}

/**
 * `pop_health` is documented as `{ healthy, origins }` ("List of regions and associated health
 * status", cloudflare 7.3.0 `HealthGetResponse.POPHealth`) but answered keyed by region or by
 * location (`{ "Amsterdam, NL": { healthy, origins } }`); every shape is read. The verdict is
 * Cloudflare's own rule, not unanimity: "If the majority of data centers for that region pass
 * … that region is considered healthy. If the majority of regions is healthy, then the endpoint
 * itself will be considered healthy" (cloudflare-docs partials/load-balancing/
 * health-check-regions.mdx, as quoted by the edge review of 9d24512). Keyed by location, the
 * majority of locations stands in for it (each check region probes from the same number of data
 * centres, three today, so a majority of regions has a majority of locations behind it unless
 * the failures are spread over every region).
 */
export function readHealth(pop: unknown): PoolHealth {
    if (typeof pop !== "object" || pop === null) return { healthy: null, locations: 0 };
    const direct = (pop as { healthy?: unknown }).healthy;
    if (typeof direct === "boolean") return { healthy: direct, locations: 1 };
    const states = Object.values(pop as Record<string, unknown>)
        .map((location) => (typeof location === "object" && location !== null ? (location as { healthy?: unknown }).healthy : undefined))
        .filter((h): h is boolean => typeof h === "boolean");
    return { healthy: states.length === 0 ? null : majority(states), locations: states.length };
}

/** More than half are true. */
export function majority(states: readonly boolean[]): boolean {
    return states.filter(Boolean).length * 2 > states.length;
}

/** The one pool whose name starts with `prefix`; otherwise a PoolError naming what exists. */
export function findPool(pools: readonly PoolInfo[], prefix: string): PoolInfo {
    const matches = pools.filter((p) => p.name.startsWith(prefix));
    const names =
        pools.length === 0
            ? "none"
            : pools
                  .map((p) => p.name)
                  .sort()
                  .join(", ");
    if (matches.length === 0)
        throw new PoolError(`no load-balancer pool name starts with "${prefix}" (pools in the account: ${names}); pass --pool-name PREFIX`);
    if (matches.length > 1)
        throw new PoolError(
            `${matches.length} pools start with "${prefix}" (${matches.map((p) => p.name).join(", ")}); pass a longer --pool-name`,
        );
    return matches[0];
}

/** One line for an API failure: status and Cloudflare's own error messages. */
export function describeApiError(err: unknown): string {
    if (err instanceof Cloudflare.APIError) {
        const details = err.errors.map((e) => `${e.code} ${e.message}`).join(", ");
        if (err.status === undefined) return `Cloudflare API unreachable: ${err.cause instanceof Error ? err.cause.message : err.message}`;
        return `Cloudflare API answered ${err.status}${details ? `: ${details}` : ` ${err.message}`}`;
    }
    return err instanceof Error ? err.message : String(err);
}

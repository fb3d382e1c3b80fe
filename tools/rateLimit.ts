/**
 * The zone's own rate limit (components/edge/rules.ts: requests per period per client address and
 * Cloudflare data centre, under the API path of the stack's hostname) against the load a QA tool
 * would send through it: the drill, the load test from this machine, and each site of a
 * distributed run. Above the limit the edge answers 429 and the run measures the limit, not the
 * API; a source whose egress is in `platform:edge.rateLimit.exemptSources` is never counted.
 */
import { type Stack } from "../stack/parse";
import { type Scenario } from "./scenario";

export type ZoneLimit = Pick<Stack["config"]["edge"], "apiPath" | "rateLimit">;

/** The share of a scenario's requests under `apiPath` (what the zone's rule counts). */
export function apiShare(scenario: Scenario, apiPath: string): number {
    const total = scenario.steps.reduce((sum, s) => sum + s.weight, 0);
    return scenario.steps.filter((s) => s.path.startsWith(apiPath)).reduce((sum, s) => sum + s.weight, 0) / total;
}

/**
 * Requests per second under `apiPath` from `users` of `scenario`: closed model, users over the
 * mean think time (no latency: an upper bound); open model (`openRate`, requests/s over every
 * user), that rate's API share.
 */
export function apiRequestRate(scenario: Scenario, users: number, apiPath: string, openRate?: number): number {
    if (openRate !== undefined) return openRate * apiShare(scenario, apiPath);
    const total = scenario.steps.reduce((sum, s) => sum + s.weight, 0);
    const meanThinkS = scenario.steps.reduce((sum, s) => sum + (s.weight / total) * ((s.thinkMs.min + s.thinkMs.max) / 2000), 0);
    return meanThinkS > 0 ? (users / meanThinkS) * apiShare(scenario, apiPath) : Infinity;
}

/** A load from one client address (one machine, or one site's egress). */
export interface LoadFrom {
    readonly scenario: Scenario;
    readonly users: number;
    /** Open model: requests/s of this source. */
    readonly openRate?: number;
}

/** The API requests per period `load` sends, and the users that would fit, when above the zone's limit; undefined when under it. */
export function overLimit(load: LoadFrom, zone: ZoneLimit): { readonly perPeriod: number; readonly fits: number } | undefined {
    const { requestsPerPeriod, period } = zone.rateLimit;
    const perPeriod = apiRequestRate(load.scenario, load.users, zone.apiPath, load.openRate) * period;
    if (perPeriod <= requestsPerPeriod) return undefined;
    return { perPeriod, fits: Math.floor((load.users * requestsPerPeriod) / perPeriod) };
}

function limitText(over: { perPeriod: number }, zone: ZoneLimit, from: string): string {
    return `about ${Math.round(over.perPeriod)} API requests per ${zone.rateLimit.period} s ${from}, above the zone's limit of ${zone.rateLimit.requestsPerPeriod} per client address`;
}

/**
 * Why a load from this machine would trip the zone's rate limit, or undefined when it stays under
 * it or the machine is exempt (`exempt`: the operator says its egress is in `exemptSources`).
 * `tool` names what would be spoilt; with the open model the fix is a lower `--rate`.
 */
export function rateLimitProblem(
    scenario: Scenario,
    users: number,
    edge: ZoneLimit,
    exempt: boolean,
    tool: { readonly name: string; readonly openRate?: number } = { name: "drill" },
): string | undefined {
    const over = overLimit({ scenario, users, openRate: tool.openRate }, edge);
    if (over === undefined) return undefined;
    if (exempt && edge.rateLimit.exemptSources.length > 0) return undefined;
    const why = `${users} users send ${limitText(over, edge, "from this machine")}: the edge would answer 429 and spoil the ${tool.name}`;
    if (exempt) return `${why}; --rate-limit-exempt needs this machine's egress in platform:edge.rateLimit.exemptSources, which is empty`;
    const fewer =
        tool.openRate === undefined
            ? `--users ${over.fits} or fewer`
            : `--rate ${Math.floor((tool.openRate * edge.rateLimit.requestsPerPeriod) / over.perPeriod)} or lower`;
    return `${why}; use ${fewer}, or list this machine's egress in platform:edge.rateLimit.exemptSources (Business plan) and pass --rate-limit-exempt`;
}

/** An IPv4 address or CIDR as [base, prefix]; undefined for anything else (IPv6 is compared as text). */
function ipv4(text: string): [number, number] | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = match[5] === undefined ? 32 : Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    return [octets.reduce((acc, o) => acc * 256 + o, 0), prefix];
}

/** Whether `source` (an address or CIDR) lies wholly inside one of `exempt` (Cloudflare's `ip.src in {…}`). */
export function isExempt(source: string, exempt: readonly string[]): boolean {
    const inner = ipv4(source);
    return exempt.some((entry) => {
        if (entry.toLowerCase() === source.toLowerCase()) return true;
        const outer = ipv4(entry);
        if (inner === undefined || outer === undefined || outer[1] > inner[1]) return false;
        const size = 2 ** (32 - outer[1]);
        return Math.floor(inner[0] / size) === Math.floor(outer[0] / size);
    });
}

/** A generator site's load and egress: all of its workers leave through its NAT addresses. */
export interface SiteLoad extends LoadFrom {
    readonly region: string;
    /** The site's entry in the load-generator stack, e.g. loadgen:sites[2]. */
    readonly at: string;
    /** Its NAT gateways' public addresses (loadgen:sites[].egress); none known: []. */
    readonly egress: readonly string[];
}

/**
 * Why a site's load would trip the zone's rate limit: above it, and an egress address of the site
 * not exempt. Its whole load is counted against one address (a site's workers may all leave
 * through one NAT gateway, and they reach one nearby Cloudflare data centre), so a site above the
 * limit must have every egress address exempt. Undefined when the site is fine. `zoneOwner`: the
 * stack's `platform:cloudflare.zoneOwner`, whose `pulumi up` carries the stack's rules to Cloudflare
 * (docs/edge.md, "Two stacks, one zone"): then both stacks must be updated, this one first.
 */
export function siteRateLimitProblem(site: SiteLoad, zone: ZoneLimit, stack: string, zoneOwner?: string): string | undefined {
    const over = overLimit(site, zone);
    if (over === undefined) return undefined;
    const why = `${site.region}'s ${site.users} users send ${limitText(over, zone, "through the site's egress")}: the edge would answer 429`;
    if (site.egress.length === 0)
        return `${why}; list the site's NAT addresses in ${site.at}.egress and in platform:edge.rateLimit.exemptSources of Pulumi.${stack}.yaml (docs/qa.md, "The zone's rate limit"), or use fewer users`;
    const missing = site.egress.filter((address) => !isExempt(address, zone.rateLimit.exemptSources));
    if (missing.length === 0) return undefined;
    return `${why}; its egress ${missing.join(", ")} (${site.at}.egress) is not in platform:edge.rateLimit.exemptSources of Pulumi.${stack}.yaml: add it and run ${applyExemption(stack, zoneOwner)} first (docs/qa.md)`;
}

/** The updates that bring an exemption of `stack` to Cloudflare: a tenant's rules reach it at its zone owner's `up`. */
export function applyExemption(stack: string, zoneOwner?: string): string {
    return zoneOwner === undefined
        ? `\`pulumi up -s ${stack}\``
        : `\`pulumi up -s ${stack}\` and then \`pulumi up -s ${zoneOwner}\` (${stack}'s rules reach Cloudflare in the rulesets of its zone owner ${zoneOwner}, docs/edge.md "Two stacks, one zone")`;
}

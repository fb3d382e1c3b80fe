/**
 * The load-generator stack's config (`loadgen:` in `loadgen/Pulumi.<stack>.yaml`): the generator
 * sites (one Kubernetes cluster per AWS region, named by its kubeconfig context), the namespace
 * the runs go to and the most workers a site may run. Read by the stack's program and by
 * `npm run loadtest -- --distributed`, with one rule both enforce: a load generator never runs in
 * production (never a stack named `prod`, never on a cluster of the platform's prod stack).
 */
import { type z } from "zod";
import { IP_OR_CIDR } from "../config/edge";
import { validate } from "../config/issues";
import { ConfigError } from "../config/problems";
import { catalogRegion, checked, defaulted, integer, list, settings, text } from "../config/schema";
import { catalogRegions, findRegion } from "../regions/catalog";
import { clusterName } from "../regions/naming";

export const LOADGEN_NAMESPACE = "loadgen";
/** The platform stack a load generator must never share a cluster with, nor a name. */
export const PRODUCTION_STACK = "prod";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const SITE = settings({
    region: catalogRegion("the AWS region the cluster runs in"),
    context: text(/^\S+$/, "the kubeconfig context of the cluster, e.g. arn:aws:eks:us-east-1:123456789012:cluster/loadgen-use1"),
    cluster: text(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "the EKS cluster's name (checked against the platform's prod clusters)"),
    // The public addresses the workers' traffic leaves through (the cluster VPC's NAT gateways):
    // the zone's rate limit counts per client address, so a run above it needs them exempt
    // (tools/rateLimit.ts, docs/qa.md "The zone's rate limit").
    egress: list(
        text(IP_OR_CIDR, "an IPv4 or IPv6 address or CIDR, e.g. 203.0.113.7/32"),
        "a list of the site's NAT gateway public addresses, e.g. [203.0.113.7/32]",
    ).default([]),
});

export const SITES_SCHEMA = settings({
    sites: checked(
        list(SITE, "a list of sites, e.g. [{ region: us-east-1, context: <kube context>, cluster: <EKS cluster name> }]", 1),
        (sites, report) => {
            const seen = new Set<string>();
            sites.forEach((site, i) => {
                if (seen.has(site.region)) report(`${site.region} has a site already; one site a region`, [i, "region"]);
                seen.add(site.region);
            });
        },
    ),
    namespace: text(DNS_LABEL, "a Kubernetes namespace name (a DNS label)").default(LOADGEN_NAMESPACE),
    maxWorkersPerSite: integer(1, 500).default(50),
    workerCpuMillicores: integer(100, 8000).default(1000),
    workerMemoryMiB: integer(128, 16384).default(512),
});

export type SitesConfig = z.output<typeof SITES_SCHEMA>;
export type Site = SitesConfig["sites"][number];

/** The platform's prod clusters, by the naming rule the platform itself uses (regions/naming.ts). */
export function productionClusters(platformProject: string): string[] {
    return catalogRegions().map((r) => clusterName(platformProject, PRODUCTION_STACK, r.code));
}

/**
 * Every reason these sites would put a load generator into production: the stack named `prod`,
 * or a site on (or whose context names) a cluster of the platform's prod stack. Empty when none.
 */
export function productionProblems(
    stack: string,
    sites: readonly Pick<Site, "region" | "context" | "cluster">[],
    platformProject: string,
): { path: string; message: string }[] {
    const problems: { path: string; message: string }[] = [];
    if (stack === PRODUCTION_STACK)
        problems.push({
            path: "stack",
            message: `a load-generator stack must not be named "${PRODUCTION_STACK}": name it after its purpose, e.g. loadtest`,
        });
    const prodClusters = productionClusters(platformProject);
    sites.forEach((site, i) => {
        const hit = prodClusters.find((c) => site.cluster === c || site.context === c || site.context.endsWith(`/${c}`));
        if (hit !== undefined)
            problems.push({
                path: `loadgen:sites[${i}]`,
                message: `${hit} is a cluster of the platform's ${PRODUCTION_STACK} stack: load generators never run on production clusters; use a cluster of its own or a staging cell's`,
            });
    });
    return problems;
}

/** Parses the `loadgen:` values (full keys stripped) of stack `stack`; a ConfigError lists every problem. */
export function parseSites(raw: Record<string, unknown>, stack: string, platformProject: string): SitesConfig {
    const checkedConfig = validate(defaulted(SITES_SCHEMA), raw, "loadgen:");
    if (!checkedConfig.ok) throw new ConfigError(checkedConfig.problems);
    const problems = productionProblems(stack, checkedConfig.value.sites, platformProject);
    if (problems.length > 0) throw new ConfigError(problems);
    return checkedConfig.value;
}

/** The site of a generator region; undefined when the stack has none there. */
export function siteOf(config: SitesConfig, region: string): Site | undefined {
    return config.sites.find((s) => s.region === region);
}

/** A site's catalog code (part of resource names). */
export function siteCode(site: Site): string {
    return findRegion(site.region)!.code;
}

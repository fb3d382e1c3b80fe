/**
 * Stack config: one pure function turns the raw `platform:*` values into typed objects
 * and reports every problem at once; a thin loader reads them from Pulumi config.
 * Components never read config themselves: they get the plain objects built here.
 */
import { CLOUDFLARE_REGIONS, type CatalogRegion, type CloudflareRegion, catalogRegions, findRegion } from "../regions/catalog";
import { type Cidr, formatCidr, isPrivate, overlaps, parseCidr } from "../regions/cidr";
import { type ComputeConfig, parseCompute } from "./compute";
import { type DataConfig, parseData } from "./data";
import { type EdgeConfig, parseEdge } from "./edge";
import { type ObservabilityConfig, parseObservability } from "./observability";
import { ConfigError, type Problem, type Raw, Reader, isRecord, show } from "./problems";

export const NAMESPACE = "platform";

/** One cell: a catalog region as this stack uses it. */
export interface CellConfig {
    /** AWS region name, e.g. `us-east-1`. */
    readonly region: string;
    /** Short code carried by every resource name of the cell, e.g. `use1`. */
    readonly code: string;
    /** True for the one cell that holds the Aurora writer. */
    readonly primary: boolean;
    /**
     * Being removed (`decommission: true`): still deployed, but drained (out of steering and
     * the capacity model) and its stateful resources retained on delete. docs/regions.md.
     */
    readonly decommissioning: boolean;
    /** The cell's VPC CIDR: from config, else the catalog default. */
    readonly cidr: string;
    readonly azs: readonly string[];
    readonly catalog: CatalogRegion;
}

export interface CapacityConfig {
    readonly targetConcurrentUsers: number;
    /** Users one pod carries at the HPA CPU target, as measured by the load test. */
    readonly usersPerPod: number;
    /** The fleet must carry the target with this many regions down. */
    readonly regionFailuresTolerated: number;
    /** Most nodes one cell's node group may have (why 100: docs/capacity.md). @default 100 */
    readonly maxNodesPerCell: number;
    /** Worst-case users one Aurora reader serves (basis: docs/capacity.md). @default 5000 */
    readonly usersPerReader: number;
    /** Worst-case users one cache shard serves (basis: docs/capacity.md). @default 10000 */
    readonly usersPerCacheShard: number;
}

export interface AppConfig {
    /** Container image pinned by digest (`repo@sha256:…`). */
    readonly image: string;
    /** Port the container listens on. @default 8080 */
    readonly port: number;
    /** Health endpoint used by the probes, the ALB and the Cloudflare monitor. @default "/healthz" */
    readonly healthPath: string;
}

export interface PlatformConfig {
    /** `aws:region`: where the global (non-regional) AWS resources are managed from. */
    readonly awsRegion: string;
    /** Public hostname served by the Cloudflare load balancer. */
    readonly domain: string;
    readonly cloudflare: { readonly accountId: string; readonly zoneId: string };
    /** Cells in config order (order carries no meaning; names come from the catalog). */
    readonly cells: readonly CellConfig[];
    readonly capacity: CapacityConfig;
    /** Expected share of users per Cloudflare region; every region present, absent ones 0. */
    readonly traffic: Readonly<Record<CloudflareRegion, number>>;
    readonly app: AppConfig;
    /** EKS, nodes and API pods of every cell (`platform:compute`, all optional). */
    readonly compute: ComputeConfig;
    /** Database and cache tier (`platform:data`), defaults filled in. */
    readonly data: DataConfig;
    /** `platform:edge`: Cloudflare cache, rate-limit, affinity and alert settings (all defaulted). */
    readonly edge: EdgeConfig;
    /** `platform:observability`: logs, metrics and alerting of every cell (all keys defaulted). */
    readonly observability: ObservabilityConfig;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HEX32 = /^[0-9a-f]{32}$/;
const DIGEST_IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const TOP_LEVEL_KEYS = [
    "domain",
    "cloudflare",
    "regions",
    "capacity",
    "traffic",
    "app",
    "data",
    "edge",
    "compute",
    "observability",
] as const;
const MIN_PREFIX = 16;
const MAX_PREFIX = 20;

/**
 * Parses and validates the whole `platform:` namespace.
 *
 * @param raw the namespace's values by key without the `platform:` prefix, each already
 *   parsed from YAML/JSON (e.g. `{ domain: "api.example.com", regions: [...] }`).
 * @param awsRegion the stack's `aws:region`, the default region of the one AWS provider.
 * @throws ConfigError listing every problem found, when there is at least one.
 */
export function parseConfig(raw: Raw, awsRegion: string | undefined): PlatformConfig {
    const problems: Problem[] = [];
    if (awsRegion === undefined || !AWS_REGION.test(awsRegion)) {
        problems.push({
            path: "aws:region",
            message: `${show(awsRegion)} is not an AWS region name; set it, e.g. \`aws:region: us-east-1\` (only global resources use it)`,
        });
    }
    const root = new Reader(problems, `${NAMESPACE}:`, raw);
    root.noUnknownKeys(TOP_LEVEL_KEYS);

    const domain = root.string("domain", { pattern: HOSTNAME, allowed: "a lower-case DNS hostname such as api.example.com" });
    const cf = root.object("cloudflare", true);
    const cloudflare = {
        accountId: cf.string("accountId", {
            pattern: HEX32,
            allowed: "32 lower-case hex characters (Cloudflare dashboard → account → API section)",
        }),
        zoneId: cf.string("zoneId", { pattern: HEX32, allowed: "32 lower-case hex characters (the zone's Overview page)" }),
    };
    cf.noUnknownKeys(["accountId", "zoneId"]);

    const cells = parseRegions(root, problems);
    const serving = servingCount(raw.regions);
    const capacity = parseCapacity(root, serving, Array.isArray(raw.regions) ? raw.regions.length - serving : 0);
    const traffic = parseTraffic(root);

    const app = root.object("app");
    const appConfig: AppConfig = {
        image: app.string("image", {
            pattern: DIGEST_IMAGE,
            allowed: "an image pinned by digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:<64 hex>",
        }),
        port: app.integer("port", { min: 1024, max: 65535, default: 8080 }),
        healthPath: app.string("healthPath", { default: "/healthz", pattern: URL_PATH, allowed: "an absolute URL path such as /healthz" }),
    };
    app.noUnknownKeys(["image", "port", "healthPath"]);
    const compute = parseCompute(root);
    const data = parseData(root, cells.length);
    if (data.homeRegion !== undefined && !findRegion(data.homeRegion)) {
        root.report(
            `${NAMESPACE}:data.homeRegion`,
            `${show(data.homeRegion)} is not in the region catalog; name the region the global database was created in (known regions: ${catalogRegions()
                .map((r) => r.name)
                .join(", ")})`,
        );
    }
    const edge = parseEdge(root);
    const observability = parseObservability(root);

    if (problems.length > 0) throw new ConfigError(problems);
    return {
        awsRegion: awsRegion!,
        domain,
        cloudflare,
        cells,
        capacity,
        traffic,
        app: appConfig,
        compute,
        data,
        edge,
        observability,
    };
}

function parseRegions(root: Reader, problems: Problem[]): CellConfig[] {
    const path = root.at("regions");
    const value = root.value.regions;
    const known = catalogRegions()
        .map((r) => r.name)
        .join(", ");
    if (!Array.isArray(value) || value.length === 0) {
        root.report(
            path,
            `${show(value)} ${value === undefined ? "is missing" : "is not a non-empty list"}; list at least one region, e.g. [{ name: us-east-1, primary: true }]`,
        );
        return [];
    }

    const cells: CellConfig[] = [];
    const cidrs: { index: number; region: string; cidr: Cidr; explicit: boolean }[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry: unknown, index) => {
        const at = `${path}[${index}]`;
        if (!isRecord(entry)) {
            root.report(at, `${show(entry)} is not a region entry; write { name: <region>, primary?: true, cidr?: <x.x.x.x/16> }`);
            return;
        }
        const reader = new Reader(problems, at, entry);
        reader.noUnknownKeys(["name", "primary", "cidr", "decommission"]);
        const name = reader.string("name", { allowed: `one of ${known}` });
        const catalog = findRegion(name);
        if (name && !catalog) reader.report(reader.at("name"), `${show(name)} is not in the region catalog; known regions: ${known}`);
        const previous = seen.get(name);
        if (name && previous !== undefined) {
            reader.report(reader.at("name"), `${show(name)} is listed twice (also at ${path}[${previous}]); remove one entry`);
        } else if (name) {
            seen.set(name, index);
        }
        const primary = reader.boolean("primary", false);
        const decommission = reader.boolean("decommission", false);
        if (primary && decommission) {
            reader.report(
                reader.at("decommission"),
                `the primary region cannot be decommissioned (it holds the Aurora writer); switch the primary to another region first (docs/regions.md, "Switch the primary"), then mark this one`,
            );
        }
        const cidrText = reader.optionalString("cidr");
        let cidr: Cidr | undefined;
        if (cidrText !== undefined) {
            const parsed = parseCidr(cidrText);
            if (typeof parsed === "string") {
                reader.report(reader.at("cidr"), `${show(cidrText)} ${parsed}`);
            } else if (parsed.prefix < MIN_PREFIX || parsed.prefix > MAX_PREFIX) {
                reader.report(
                    reader.at("cidr"),
                    `${show(cidrText)} has prefix /${parsed.prefix}; use a prefix from /${MIN_PREFIX} to /${MAX_PREFIX} (the subnet plan needs 9 subnets)`,
                );
            } else if (!isPrivate(parsed)) {
                reader.report(
                    reader.at("cidr"),
                    `${show(cidrText)} is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`,
                );
            } else {
                cidr = parsed;
            }
        } else if (catalog) {
            cidr = parseCidr(catalog.cidr) as Cidr;
        }
        if (cidr && catalog && previous === undefined) cidrs.push({ index, region: name, cidr, explicit: cidrText !== undefined });
        if (catalog && previous === undefined) {
            cells.push({
                region: catalog.name,
                code: catalog.code,
                primary,
                decommissioning: decommission,
                cidr: cidr ? formatCidr(cidr) : catalog.cidr,
                azs: catalog.azs,
                catalog,
            });
        }
    });

    for (let i = 0; i < cidrs.length; i++) {
        for (let j = 0; j < i; j++) {
            const [a, b] = [cidrs[i], cidrs[j]];
            if (!overlaps(a.cidr, b.cidr)) continue;
            const source = a.explicit ? "" : " (the catalog default)";
            root.report(
                `${path}[${a.index}].cidr`,
                `${formatCidr(a.cidr)}${source} overlaps ${path}[${b.index}] (${b.region}, ${formatCidr(b.cidr)}); give each region a CIDR that overlaps no other`,
            );
        }
    }

    if (value.every((entry: unknown) => isRecord(entry) && entry.decommission === true)) {
        root.report(path, `every region has decommission: true; at least one region must keep serving users`);
    }

    const primaries = value
        .map((entry: unknown, index) => ({ entry, index }))
        .filter(({ entry }) => isRecord(entry) && entry.primary === true);
    if (primaries.length === 0) {
        root.report(path, `no region has primary: true; mark exactly one region (the Aurora writer) with primary: true`);
    } else if (primaries.length > 1) {
        const where = primaries.map(({ index }) => `${path}[${index}]`).join(", ");
        root.report(path, `${primaries.length} regions have primary: true (${where}); exactly one region holds the Aurora writer`);
    }
    return cells;
}

/** Region entries that serve users (not `decommission: true`), as written; 0 when the list is invalid. */
function servingCount(regions: unknown): number {
    return Array.isArray(regions) ? regions.filter((e: unknown) => !(isRecord(e) && e.decommission === true)).length : 0;
}

/** `regionCount` counts the serving entries as written, so the message matches what the user sees. */
function parseCapacity(root: Reader, regionCount: number, draining: number): CapacityConfig {
    const capacity = root.object("capacity", true);
    capacity.noUnknownKeys([
        "targetConcurrentUsers",
        "usersPerPod",
        "regionFailuresTolerated",
        "maxNodesPerCell",
        "usersPerReader",
        "usersPerCacheShard",
    ]);
    const targetConcurrentUsers = capacity.integer("targetConcurrentUsers", { min: 1 });
    const usersPerPod = capacity.integer("usersPerPod", { min: 1 });
    const regionFailuresTolerated = capacity.integer("regionFailuresTolerated", { min: 0 });
    if (regionCount > 0 && regionFailuresTolerated >= regionCount) {
        capacity.report(
            capacity.at("regionFailuresTolerated"),
            `${regionFailuresTolerated} leaves no region to serve users: the stack lists ${regionCount} region(s)${draining > 0 ? ` serving (${draining} more with decommission: true, which serve none)` : ""}; tolerate at most ${regionCount - 1} or add regions`,
        );
    }
    // At least two nodes per AZ: one for pods and the spare the model always adds.
    const maxNodesPerCell = capacity.integer("maxNodesPerCell", { min: 6, default: 100 });
    const usersPerReader = capacity.integer("usersPerReader", { min: 1, default: 5000 });
    const usersPerCacheShard = capacity.integer("usersPerCacheShard", { min: 1, default: 10000 });
    return { targetConcurrentUsers, usersPerPod, regionFailuresTolerated, maxNodesPerCell, usersPerReader, usersPerCacheShard };
}

function parseTraffic(root: Reader): Record<CloudflareRegion, number> {
    const traffic = Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, 0])) as Record<CloudflareRegion, number>;
    const reader = root.object("traffic", true);
    let sum = 0;
    for (const [key, value] of Object.entries(reader.value)) {
        if (!(CLOUDFLARE_REGIONS as readonly string[]).includes(key)) {
            reader.report(reader.at(key), `is not a Cloudflare region code; use one of ${CLOUDFLARE_REGIONS.join(", ")}`);
            continue;
        }
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
            reader.report(reader.at(key), `${show(value)} is not a share; expected a number from 0 to 1`);
            continue;
        }
        traffic[key as CloudflareRegion] = value;
        sum += value;
    }
    if (Object.keys(reader.value).length > 0 && Math.abs(sum - 1) > 0.01) {
        reader.report(reader.path, `shares sum to ${Number(sum.toFixed(4))}; they must sum to 1 (±0.01)`);
    }
    if (isRecord(root.value.traffic) && Object.keys(reader.value).length === 0) {
        reader.report(
            reader.path,
            `gives no Cloudflare region a share above 0, so no users can be placed in cells; give each region's expected share, e.g. { ENAM: 0.6, WEU: 0.4 }`,
        );
    }
    return traffic;
}

/**
 * Reads the `platform:` namespace from Pulumi config (JSON values parsed, strings kept)
 * and validates it. Kept apart from `parseConfig` so that the pure part is testable.
 */
export function namespaceValues(all: Readonly<Record<string, string>>): Raw {
    const raw: Raw = {};
    const prefix = `${NAMESPACE}:`;
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix)) continue;
        raw[key.slice(prefix.length)] = parseValue(text);
    }
    return raw;
}

function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export { ConfigError, type Raw };

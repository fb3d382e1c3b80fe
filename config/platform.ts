/**
 * Stack config: one schema per section turns the raw `platform:*` values into typed objects
 * and reports every problem at once; a thin loader reads them from Pulumi config.
 * Components never read config themselves: they get the plain objects built here.
 */
import { z } from "zod";
import { AURORA_MAX_SECONDARY_REGIONS } from "../regions/awsLimits";
import { CLOUDFLARE_REGIONS, type CloudflareRegion, catalogRegions, findRegion } from "../regions/catalog";
import { type Cidr, formatCidr, isPrivate, overlaps, parseCidr } from "../regions/cidr";
import { CLOUDFLARE_PLANS, type EdgeFeatures, planProblems, planRequirements } from "../regions/cloudflarePlans";
import { type FleetCellInput, isServing } from "../regions/fleet";
import { parseEcrImage } from "../regions/image";
import { COMPUTE_SCHEMA } from "./compute";
import { DATA_SCHEMA } from "./data";
import { EDGE_SCHEMA } from "./edge";
import { defaultZoneName, hostnameProblem, levelsBelowZone } from "./hostname";
import { validate } from "./issues";
import { OBSERVABILITY_SCHEMA } from "./observability";
import { ConfigError, type Raw, show } from "./problems";
import { DIGEST_IMAGE, PINS_SCHEMA, PIN_KEYS, type PinKey, RELEASE_SCHEMA, effectivePin, pinProblems, waveProblems } from "./release";
import {
    type Immutable,
    type Path,
    type Report,
    catalogRegion,
    checked,
    flag,
    hex32,
    integer,
    list,
    oneOf,
    settings,
    text,
} from "./schema";

export const NAMESPACE = "platform";

/**
 * One cell: a catalog region as this stack uses it, which is the fleet's input
 * (regions/fleet.ts). `decommissioning` is the entry's `decommission: true` (docs/regions.md);
 * `cidr` is the entry's, else the catalog default.
 */
export type CellConfig = FleetCellInput;

/** Pulumi stack names: letters, digits, `-`, `_`, `.`. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const MIN_PREFIX = 16;
const MAX_PREFIX = 20;

/** `aws:region`, outside the namespace: the default region of the one AWS provider. */
export const AWS_REGION_SCHEMA = text(
    AWS_REGION,
    "an AWS region name; set it, e.g. `aws:region: us-east-1` (only global resources use it)",
).describe("Region of the one AWS provider; only global resources use it");

const CLOUDFLARE_SCHEMA = checked(
    settings({
        accountId: hex32("Cloudflare dashboard → account → API section").describe("Cloudflare account id"),
        zoneId: hex32("the zone's Overview page").describe("Cloudflare zone id of the domain"),
        zoneName: text(HOSTNAME, "the zone's name, e.g. example.com")
            .optional()
            .meta({ fallback: "the domain's last two labels" })
            .describe("The zone's name: `platform:domain` must be its apex or a first-level name (Universal SSL covers no deeper)"),
        plan: oneOf(CLOUDFLARE_PLANS, { refused: "is not a Cloudflare plan" })
            .default("business")
            .describe("The zone's Cloudflare plan: the edge's features are checked against it (docs/edge.md, the plan table)"),
        zoneOwner: text(STACK_NAME, "a stack name such as prod")
            .optional()
            .describe(
                "The stack that declares the zone's rulesets and settings, this stack's rules among them; unset: this stack owns the zone",
            ),
        zoneTenants: list(text(STACK_NAME, "a stack name such as staging"), "a list of stack names, e.g. [staging]")
            .default([])
            .describe("Stacks on the same zone whose per-hostname rules this stack's zone rulesets carry (read from their stack outputs)"),
    }),
    (cloudflare, report) => {
        if (cloudflare.zoneOwner !== undefined && cloudflare.zoneTenants.length > 0)
            report(
                `a stack either owns the zone (zoneTenants) or rides on its owner's rulesets (zoneOwner ${show(cloudflare.zoneOwner)}), not both: keep one`,
                ["zoneTenants"],
            );
        cloudflare.zoneTenants.forEach((tenant, i) => {
            const first = cloudflare.zoneTenants.indexOf(tenant);
            if (first !== i) report(`${show(tenant)} is listed twice (also at [${first}]); remove one`, ["zoneTenants", i]);
        });
    },
).describe("The Cloudflare account, zone and plan of the domain, and who owns the zone's rulesets");

const cidr = checked(
    z.string().meta({ allowed: `a private IPv4 CIDR from /${MIN_PREFIX} to /${MAX_PREFIX}, e.g. 10.10.0.0/16` }),
    (value, report) => {
        const parsed = parseCidr(value);
        if (typeof parsed === "string") report(`${show(value)} ${parsed}`);
        else if (parsed.prefix < MIN_PREFIX || parsed.prefix > MAX_PREFIX) {
            report(
                `${show(value)} has prefix /${parsed.prefix}; use a prefix from /${MIN_PREFIX} to /${MAX_PREFIX} (the subnet plan needs 9 subnets)`,
            );
        } else if (!isPrivate(parsed)) {
            report(`${show(value)} is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
        }
    },
).meta({ rule: "no overlap with another region's" });

const REGION_ENTRY = settings({
    name: catalogRegion().describe("AWS region of the cell (regions/catalog.ts)"),
    primary: flag().default(false).describe("The one region that holds the Aurora writer"),
    cidr: cidr.optional().meta({ fallback: "the catalog's" }).describe("The cell's VPC CIDR"),
    decommission: flag()
        .default(false)
        .describe("Being removed: drained and its data retained on delete (docs/regions.md); never the primary"),
    adoptBackupVault: flag()
        .default(false)
        .describe(
            "Re-added after it was removed: the cell's locked backup vault, its lock and its air-gapped vault, kept when the region left the stack, are adopted (Pulumi import) instead of created, which AWS refuses under the same name (docs/regions.md); harmless to leave set",
        ),
    pins: PINS_SCHEMA.optional()
        .meta({ fallback: "none: the stack-wide values" })
        .describe("Values this cell runs ahead of (or behind) the stack's while a release is under way (docs/releases.md)"),
}).meta({ allowed: "a region entry such as { name: us-east-1, primary: true, cidr: 10.10.0.0/16 }" });

type RegionEntry = z.output<typeof REGION_ENTRY>;

/**
 * The region list: one cell per entry, in config order. Its rules read the entries that are
 * sound (a region the catalog lacks has no CIDR to overlap), each rule once every part it
 * reads is.
 */
const REGIONS_SCHEMA = checked(
    list(REGION_ENTRY, "a list of at least one region entry, e.g. [{ name: us-east-1, primary: true }]", 1),
    regionRules,
    [],
)
    .meta({
        rule: `exactly one primary; at most ${AURORA_MAX_SECONDARY_REGIONS + 1} regions (one primary and the ${AURORA_MAX_SECONDARY_REGIONS} secondaries of an Aurora global database)`,
    })
    .describe("One cell per entry");

function regionRules(entries: readonly RegionEntry[], report: Report, sound: (path: Path) => boolean): void {
    const at = (index: number) => `${NAMESPACE}:regions[${index}]`;
    const all = (key: string) => sound(["*", key]);
    const first = new Map<string, number>();
    entries.forEach((entry, index) => {
        if (!sound([index, "name"])) return;
        const previous = first.get(entry.name);
        if (previous !== undefined)
            report(`${show(entry.name)} is listed twice (also at ${at(previous)}); remove one entry`, [index, "name"]);
        else first.set(entry.name, index);
    });
    // Each region once (a second entry of a region is reported above, not again as an overlap).
    const cidrs = [...first.values()]
        .filter((index) => sound([index, "cidr"]))
        .map((index) => {
            const entry = entries[index];
            const text = entry.cidr ?? findRegion(entry.name)!.cidr;
            return { index, region: entry.name, cidr: parseCidr(text) as Cidr, explicit: entry.cidr !== undefined };
        });
    for (let i = 0; i < cidrs.length; i++) {
        for (let j = 0; j < i; j++) {
            const [a, b] = [cidrs[i], cidrs[j]];
            if (!overlaps(a.cidr, b.cidr)) continue;
            const source = a.explicit ? "" : " (the catalog default)";
            report(
                `${formatCidr(a.cidr)}${source} overlaps ${at(b.index)} (${b.region}, ${formatCidr(b.cidr)}); give each region a CIDR that overlaps no other`,
                [a.index, "cidr"],
            );
        }
    }
    entries.forEach((entry, index) => {
        if (entry.primary && entry.decommission && sound([index, "primary"]) && sound([index, "decommission"])) {
            report(
                `the primary region cannot be decommissioned (it holds the Aurora writer); switch the primary to another region first (docs/regions.md, "Switch the primary"), then mark this one`,
                [index, "decommission"],
            );
        }
    });
    if (all("decommission") && entries.every((e) => e.decommission)) {
        report(`every region has decommission: true; at least one region must keep serving users`);
    }
    if (all("primary")) {
        const primaries = entries.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.primary);
        if (primaries.length === 0) {
            report(`no region has primary: true; mark exactly one region (the Aurora writer) with primary: true`);
        } else if (primaries.length > 1) {
            const where = primaries.map(({ index }) => at(index)).join(", ");
            report(`${primaries.length} regions have primary: true (${where}); exactly one region holds the Aurora writer`);
        }
    }
    const secondaries = first.size - 1;
    if (all("name") && secondaries > AURORA_MAX_SECONDARY_REGIONS) {
        report(
            `${first.size} regions need ${secondaries} secondary clusters, but an Aurora global database has at most ${AURORA_MAX_SECONDARY_REGIONS} secondary regions; list at most ${AURORA_MAX_SECONDARY_REGIONS + 1} regions`,
        );
    }
}

/** The cell of a valid entry: the catalog region as the entry uses it. */
function cellOf(entry: RegionEntry): CellConfig {
    const catalog = findRegion(entry.name)!;
    return {
        region: catalog.name,
        code: catalog.code,
        primary: entry.primary,
        decommissioning: entry.decommission,
        cidr: entry.cidr === undefined ? catalog.cidr : formatCidr(parseCidr(entry.cidr) as Cidr),
        zoneIds: catalog.zoneIds,
        catalog,
    };
}

// At least two nodes per AZ: one for pods and the spare the model always adds.
const MIN_NODES_PER_CELL = 6;

export const CAPACITY_SCHEMA = settings({
    targetConcurrentUsers: integer(1).describe("Concurrent users the fleet must carry"),
    usersPerPod: integer(1).describe("Users one pod carries at the HPA CPU target, as measured by the load test"),
    regionFailuresTolerated: integer(0)
        .meta({ rule: "fewer than the serving regions" })
        .describe("The fleet carries the target with this many regions down"),
    maxNodesPerCell: integer(MIN_NODES_PER_CELL)
        .default(100)
        .describe("Most nodes one cell's node group may have (why 100: docs/capacity.md)"),
    usersPerReader: integer(1).default(5000).describe("Worst-case users one Aurora reader serves (basis: docs/capacity.md)"),
    usersPerCacheShard: integer(1).default(10000).describe("Worst-case users one cache shard serves (basis: docs/capacity.md)"),
    warmFailoverPercent: integer(0, 100)
        .default(100)
        .describe("Share of each cell's failover surge (worst-case pods beyond the minimum) kept warm on running nodes (docs/capacity.md)"),
}).describe("The capacity model's target and limits (docs/capacity.md)");

const TRAFFIC_SCHEMA = checked(
    z
        .partialRecord(z.enum(CLOUDFLARE_REGIONS), z.number().min(0).max(1).meta({ allowed: "a share of users: a number from 0 to 1" }))
        .meta({ allowed: "a map of shares by Cloudflare region code, e.g. { ENAM: 0.6, WEU: 0.4 }", keys: "a Cloudflare region code" }),
    (shares, report) => {
        const values = Object.values(shares);
        if (values.length === 0) {
            report(
                `{} gives no Cloudflare region a share above 0, so no users can be placed in cells; give each region's expected share, e.g. { ENAM: 0.6, WEU: 0.4 }`,
            );
            return;
        }
        const sum = values.reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 0.01) report(`shares sum to ${Number(sum.toFixed(4))}; they must sum to 1 (±0.01)`);
    },
)
    .transform((shares) => Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, shares[r] ?? 0])) as Record<CloudflareRegion, number>)
    .meta({ rule: "shares sum to 1 (±0.01); a region left out gets none" })
    .describe(`Expected share of users per Cloudflare region (${CLOUDFLARE_REGIONS[0]} … ${CLOUDFLARE_REGIONS.at(-1)})`);

// Each cell pulls its region's replica (regions/image.ts): the image must be in a private ECR registry.
const appImage = checked(
    text(DIGEST_IMAGE, "an image pinned by digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:<64 hex>"),
    (image, report) => {
        const ecr = parseEcrImage(image);
        if (ecr === undefined)
            report(
                `${show(image)} is not in a private ECR registry (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:…); each cell pulls the image from its own region's replica, so push it to ECR`,
            );
        else if (!catalogRegions().some((r) => r.name === ecr.region))
            report(`${show(image)} is in ${ecr.region}, which is not in the region catalog; push it to a catalog region's registry`);
    },
);

const APP_SCHEMA = settings({
    image: appImage.describe("Container image pinned by digest (`repo@sha256:…`), in ECR; each cell pulls its own region's replica"),
    replicateImage: flag()
        .default(true)
        .describe(
            "This stack declares the account's ECR replication of the image's registry (one stack per account: a registry has one replication configuration per region)",
        ),
    port: integer(1024, 65535).default(8080).describe("Port the container listens on"),
    healthPath: text(URL_PATH, "an absolute URL path such as /healthz")
        .default("/healthz")
        .describe("Health endpoint of the probes, the ALB and the Cloudflare monitor"),
}).describe("The API container");

/** The `platform:` namespace, one schema per section, with the one rule across sections. */
export const PLATFORM_SCHEMA = checked(
    settings({
        domain: text(HOSTNAME, "a lower-case DNS hostname such as api.example.com").describe(
            "Public hostname served by the Cloudflare load balancer",
        ),
        cloudflare: CLOUDFLARE_SCHEMA,
        regions: REGIONS_SCHEMA,
        capacity: CAPACITY_SCHEMA,
        traffic: TRAFFIC_SCHEMA,
        app: APP_SCHEMA,
        compute: COMPUTE_SCHEMA,
        data: DATA_SCHEMA,
        edge: EDGE_SCHEMA,
        observability: OBSERVABILITY_SCHEMA,
        release: RELEASE_SCHEMA,
    }),
    ({ domain, regions, capacity, cloudflare, edge, app, compute, data, release }, report, sound) => {
        if (sound(["domain"]) && sound(["cloudflare"])) {
            const problem = hostnameProblem(domain, cloudflare.zoneName ?? defaultZoneName(domain), cloudflare.zoneName !== undefined);
            if (problem !== undefined) report(problem, ["domain"]);
        }
        if (sound(["regions"]) && sound(["app"]) && sound(["compute"])) {
            pinProblems(
                regions,
                stackWideOf(app, compute, data),
                (message, index, key) => report(message, ["regions", index, "pins", key]),
                // A bad platform:data.engineVersion is reported on its own; the pins are not judged against it.
                sound(["data", "engineVersion"]) ? [] : ["auroraEngineVersion"],
            );
            // A pinned image is the stack's repository at another digest: the account's ECR
            // replication covers that repository, so each cell can pull the pin from its own region.
            const stackWide = parseEcrImage(app.image);
            regions.forEach((r, index) => {
                const pinned = r.pins?.image;
                if (pinned === undefined || stackWide === undefined) return;
                const ecr = parseEcrImage(pinned);
                if (
                    ecr === undefined ||
                    ecr.account !== stackWide.account ||
                    ecr.region !== stackWide.region ||
                    ecr.repository !== stackWide.repository
                )
                    report(
                        `${show(pinned)} is not in platform:app.image's repository (${app.image.slice(0, app.image.indexOf("@"))}); pin a digest of that repository, which each cell's region replicates`,
                        ["regions", index, "pins", "image"],
                    );
            });
        }
        if (sound(["regions"]) && sound(["release"]) && release.waves !== undefined) {
            waveProblems(
                release.waves,
                regions.map((r) => r.name),
                (message, path = []) => report(message, ["release", ...path]),
            );
        }
        if (sound(["domain"]) && sound(["cloudflare"]) && sound(["edge"])) {
            for (const problem of planProblems(cloudflare.plan, planRequirements(edgeFeatures(domain, cloudflare, edge))))
                report(`${problem}: raise platform:cloudflare.plan if the zone has that plan, or change the setting`, ["edge"]);
            if (cloudflare.zoneOwner !== undefined && edge.tieredCache)
                report(
                    `tieredCache true is a zone setting: the zone's owner (${cloudflare.zoneOwner}) declares it for every hostname; set it there, not here`,
                    ["edge", "tieredCache"],
                );
        }
        // Counted as the user wrote them, so that the message matches the file.
        const serving = regions.filter((r) => isServing({ decommissioning: r.decommission })).length;
        const draining = regions.length - serving;
        // None serving is the region list's own problem (every region has decommission: true).
        if (serving > 0 && capacity.regionFailuresTolerated >= serving) {
            report(
                `${capacity.regionFailuresTolerated} leaves no region to serve users: the stack lists ${serving} region(s)${draining > 0 ? ` serving (${draining} more with decommission: true, which serve none)` : ""}; tolerate at most ${serving - 1} or add regions`,
                ["capacity", "regionFailuresTolerated"],
            );
        }
    },
    [
        ["capacity", "regionFailuresTolerated"],
        ["regions", "*", "decommission"],
        ["regions", "*", "pins"],
        ["release", "waves"],
    ],
);

function stackWideOf(
    app: { readonly image: string },
    compute: { readonly kubernetesVersion: string },
    data: { readonly engineVersion: string },
): Record<PinKey, string> {
    return { image: app.image, kubernetesVersion: compute.kubernetesVersion, auroraEngineVersion: data.engineVersion };
}

/**
 * What the edge of a stack uses that the zone's plan bounds. A stack that rides on an owner's
 * rulesets counts at least two rate-limiting rules in the zone (its own and the owner's); the
 * owner counts one per stack exactly.
 */
export function edgeFeatures(
    domain: string,
    cloudflare: Pick<PlatformValues["cloudflare"], "zoneName" | "zoneOwner" | "zoneTenants">,
    edge: PlatformValues["edge"],
): EdgeFeatures {
    return {
        // Outside the zone counts as deep: the config refuses it anyway (hostnameProblem).
        hostnameLevels: levelsBelowZone(domain, cloudflare.zoneName ?? defaultZoneName(domain)) ?? Infinity,
        monitorInterval: edge.monitorInterval,
        staticEdgeTtl: edge.staticEdgeTtl,
        rateLimit: {
            period: edge.rateLimit.period,
            mitigationTimeout: edge.rateLimit.mitigationTimeout,
            exemptsSources: edge.rateLimit.exemptSources.length > 0,
        },
        rateLimitRulesInZone: cloudflare.zoneOwner !== undefined ? 2 : 1 + cloudflare.zoneTenants.length,
        loadBalancerRules: 1,
    };
}

type PlatformValues = Immutable<z.output<typeof PLATFORM_SCHEMA>>;
export type CapacityConfig = PlatformValues["capacity"];
export type AppConfig = PlatformValues["app"];
export type { ReleaseConfig } from "./release";

/** What one cell runs of each value a release rolls out: its pin, else the stack-wide value. */
export type CellRelease = Readonly<Record<PinKey, string>>;

export interface PlatformConfig extends Omit<PlatformValues, "regions"> {
    /** `aws:region`: where the global (non-regional) AWS resources are managed from. */
    readonly awsRegion: string;
    /** Cells in config order (order carries no meaning; names come from the catalog). */
    readonly cells: readonly CellConfig[];
    /** By region: the values each cell runs (`platform:regions[].pins`, else the stack's). */
    readonly cellReleases: Readonly<Record<string, CellRelease>>;
    /** The regions whose entry sets `adoptBackupVault`: their vault, its lock and their air-gapped vault are imported, not created. */
    readonly adoptedBackupVaults: readonly string[];
}

/**
 * Parses and validates the whole `platform:` namespace.
 *
 * @param raw the namespace's values by key without the `platform:` prefix, each already
 *   parsed from YAML/JSON (e.g. `{ domain: "api.example.com", regions: [...] }`).
 * @param awsRegion the stack's `aws:region`, the default region of the one AWS provider.
 * @throws ConfigError listing every problem found, when there is at least one.
 */
export function parseConfig(raw: Raw, awsRegion: string | undefined): PlatformConfig {
    const region = validate(AWS_REGION_SCHEMA, awsRegion, "aws:region");
    const platform = validate(PLATFORM_SCHEMA, raw, `${NAMESPACE}:`);
    if (!region.ok || !platform.ok)
        throw new ConfigError([...(region.ok ? [] : region.problems), ...(platform.ok ? [] : platform.problems)]);
    const { domain, cloudflare, regions, capacity, traffic, app, compute, data, edge, observability, release } = platform.value;
    const stackWide = stackWideOf(app, compute, data);
    return {
        awsRegion: region.value,
        domain,
        cloudflare,
        cells: regions.map(cellOf),
        capacity,
        traffic,
        app,
        compute,
        data,
        edge,
        observability,
        release,
        cellReleases: Object.fromEntries(
            regions.map((entry) => [entry.name, Object.fromEntries(PIN_KEYS.map((key) => [key, effectivePin(entry, key, stackWide)]))]),
        ) as Record<string, CellRelease>,
        adoptedBackupVaults: regions.filter((entry) => entry.adoptBackupVault).map((entry) => entry.name),
    };
}

/**
 * The `platform:` values of Pulumi's flat config map, by key without the prefix: JSON values
 * parsed, other strings kept. It only reads; `parseConfig` validates.
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

/** A value as Pulumi stores it in a stack's config: parsed when it is JSON, else the string itself. */
export function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export { ConfigError, type Raw };

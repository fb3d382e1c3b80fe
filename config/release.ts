/**
 * Releases in waves (docs/releases.md): the per-cell pins of a region entry
 * (`platform:regions[].pins`), the `platform:release` section (wave order, bake times), and the
 * rules across them that refuse a state a release should never reach.
 *
 * ```yaml
 * platform:regions:
 *   - name: eu-central-1
 *     pins: { image: <repo>@sha256:<new digest> }   # this cell ahead of the stack-wide platform:app.image
 * platform:release:
 *   waves: [[ap-southeast-1], [eu-central-1], [us-east-1]]   # optional; default: least traffic first, the primary last
 *   canaryBakeMinutes: 30
 *   bakeMinutes: 10
 *   max5xxPercent: 0.1   # 5xx per request over a bake above which a cell is unhealthy
 * ```
 */
import { z } from "zod";
import { KUBERNETES_VERSIONS } from "../regions/versions";
import { auroraVersion, majorOf } from "./data";
import { show } from "./problems";
import { type Immutable, type Report, catalogRegion, defaulted, integer, list, oneOf, settings, text } from "./schema";

export const DIGEST_IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;
export const IMAGE_ALLOWED = "an image pinned by digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:<64 hex>";

/**
 * The values a release rolls out, one cell at a time. Chart and add-on versions follow the
 * Kubernetes minor (regions/versions.ts), so pinning the minor pins them. The Aurora engine is
 * pinned per cell for a MINOR upgrade only, the secondaries before the primary: AWS upgrades a
 * global database's minor member by member ("upgrade all of the secondary clusters before you
 * upgrade the primary cluster"), but a MAJOR upgrade only on the global cluster, all members at
 * once (Aurora User Guide, Upgrading an Amazon Aurora global database,
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html).
 */
export const PIN_KEYS = ["image", "kubernetesVersion", "auroraEngineVersion"] as const;
export type PinKey = (typeof PIN_KEYS)[number];

/** Where each pin's stack-wide value lives. */
export const STACK_WIDE: Readonly<Record<PinKey, string>> = {
    image: "platform:app.image",
    kubernetesVersion: "platform:compute.kubernetesVersion",
    auroraEngineVersion: "platform:data.engineVersion",
};

export const PINS_SCHEMA = settings({
    image: text(DIGEST_IMAGE, IMAGE_ALLOWED)
        .optional()
        .meta({ fallback: "platform:app.image" })
        .describe("This cell's API image while a release is under way"),
    kubernetesVersion: oneOf(Object.keys(KUBERNETES_VERSIONS) as [string, ...string[]], {
        refused: "is not a version this program pins add-ons for",
    })
        .optional()
        .meta({ fallback: "platform:compute.kubernetesVersion" })
        .describe("This cell's EKS minor (and so its add-ons and charts) while a release is under way"),
    auroraEngineVersion: auroraVersion
        .optional()
        .meta({
            fallback: "platform:data.engineVersion",
            rule: "with global write forwarding: 16+, 15.4+, 14.9+; the stack-wide major, never below it; at most two versions; the primary never above a secondary",
        })
        .describe('This cell\'s Aurora cluster version while a minor upgrade is under way (docs/releases.md, "The Aurora engine")'),
});

export type CellPins = Immutable<z.output<typeof PINS_SCHEMA>>;

/**
 * The longest SLO alarm window (p99 latency: five 1-minute periods, components/observability/
 * cloudWatchAlarms.ts): a shorter bake could end before a breach that began with the wave turns
 * the alarm to ALARM.
 */
export const MIN_BAKE_MINUTES = 5;

export const RELEASE_SCHEMA = defaulted(
    settings({
        waves: list(list(catalogRegion(), "a list of region names", 1), "a list of waves, each a list of region names", 1)
            .optional()
            .meta({
                fallback: "the cell with the least traffic, then the other secondaries, then the primary",
                rule: "every region of platform:regions in exactly one wave",
            })
            .describe("The order cells take a release in, one wave after another"),
        canaryBakeMinutes: integer(MIN_BAKE_MINUTES, 1440)
            .default(30)
            .describe("Minutes the first wave must stay healthy before the next starts (why: docs/releases.md)"),
        bakeMinutes: integer(MIN_BAKE_MINUTES, 1440)
            .default(10)
            .describe("Minutes every later wave must stay healthy before the next starts"),
        // A choice: ten times the error rate a 99.99 % availability SLO allows (0.01 %), so a wave
        // that burns the month's budget in three days stops; docs/releases.md, "The health gate".
        max5xxPercent: z
            .number()
            .gt(0)
            .max(100)
            .meta({ allowed: "a percentage above 0, at most 100" })
            .default(0.1)
            .describe(
                "5xx (the ALB's and the pods') as a percentage of a cell's ALB requests over a bake above which the cell is unhealthy",
            ),
    }).meta({ page: "docs/releases.md" }),
).describe("Wave order and bake times of `npm run release`");

export type ReleaseConfig = Immutable<z.output<typeof RELEASE_SCHEMA>>;

/** Most distinct images the fleet may run at once: the old and the new, never a third. */
export const MAX_DISTINCT_IMAGES = 2;

interface PinnedEntry {
    readonly name: string;
    /** The cell holding the Aurora writer. @default false */
    readonly primary?: boolean;
    readonly pins?: CellPins;
}

/** The value a cell runs for `key`: its pin, else the stack-wide value. */
export function effectivePin(entry: PinnedEntry, key: PinKey, stackWide: Readonly<Record<PinKey, string>>): string {
    return entry.pins?.[key] ?? stackWide[key];
}

function minorOf(version: string): number {
    return Number(version.split(".")[1]);
}

/** Most distinct Aurora versions the global database's members may run at once: the old and the new. */
export const MAX_DISTINCT_ENGINES = 2;

/** Aurora versions in order: negative when `a` is older than `b` ("16.9" < "16.10"). */
export function compareEngineVersions(a: string, b: string): number {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    return x[0] - y[0] || x[1] - y[1];
}

/**
 * The rules of the Aurora engine mid-upgrade (docs/releases.md, "The Aurora engine"). A cell's
 * pin is a minor upgrade of its own member only:
 * - the stack-wide major: a major upgrade is done on the global cluster, every member at once, never
 *   member by member (Aurora User Guide, Upgrading an Amazon Aurora global database,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html);
 * - never below the stack-wide value: Aurora cannot downgrade an engine (going back is a restore);
 * - at most two versions, the old and the new: managed switchover and failover need the same major
 *   and minor on primary and secondaries, so the fleet is mid-upgrade for as short as possible;
 * - the primary never above a secondary: "upgrade all of the secondary clusters before you upgrade
 *   the primary cluster" (same page); AWS refuses the primary first with InvalidParameterValue
 *   "upgrade global replicas first" (terraform-provider-aws internal/service/rds/global_cluster.go,
 *   globalClusterUpgradeMinorEngineVersion).
 */
function enginePinProblems(
    entries: readonly PinnedEntry[],
    stackWide: string,
    report: (message: string, index: number, key: PinKey) => void,
): void {
    const key = "auroraEngineVersion";
    const fix = `a major goes through ${STACK_WIDE[key]} (the global cluster)`;
    const versionOf = (e: PinnedEntry) => e.pins?.auroraEngineVersion ?? stackWide;
    let bad = 0;
    entries.forEach((entry, index) => {
        const pin = entry.pins?.auroraEngineVersion;
        if (pin === undefined) return;
        if (majorOf(pin) !== majorOf(stackWide) || compareEngineVersions(pin, stackWide) < 0) bad++;
        if (majorOf(pin) !== majorOf(stackWide))
            report(
                `${entry.name} pins Aurora ${pin}, another major than ${STACK_WIDE[key]} ${stackWide}; a cell pins a minor of the stack's major only: ${fix}`,
                index,
                key,
            );
        else if (compareEngineVersions(pin, stackWide) < 0)
            report(
                `${entry.name} pins Aurora ${pin}, below ${STACK_WIDE[key]} ${stackWide}; Aurora cannot downgrade an engine (going back is a restore from a snapshot): pin ${stackWide} or later, or remove the pin`,
                index,
                key,
            );
    });
    // A bad pin is reported once: the rules across cells judge only pins that could be sent.
    if (bad > 0) return;
    const versions = [...new Set(entries.map(versionOf))].sort(compareEngineVersions);
    if (versions.length > MAX_DISTINCT_ENGINES) {
        const third = entries.findIndex((e) => e.pins?.auroraEngineVersion === versions[MAX_DISTINCT_ENGINES]);
        report(
            `the global database's members would run ${versions.length} Aurora versions (${versions.join(", ")}); a minor upgrade moves them from one version to one other: finish the upgrade under way first`,
            Math.max(third, 0),
            key,
        );
    }
    const primaryIndex = entries.findIndex((e) => e.primary === true);
    if (primaryIndex < 0) return;
    const primaryVersion = versionOf(entries[primaryIndex]);
    const behind = entries.filter((e, i) => i !== primaryIndex && compareEngineVersions(versionOf(e), primaryVersion) < 0);
    if (behind.length > 0)
        report(
            `the primary ${entries[primaryIndex].name} would run Aurora ${primaryVersion}, ahead of the secondary ${behind.map((e) => `${e.name} (${versionOf(e)})`).join(", ")}; AWS upgrades the secondaries before the primary ("upgrade global replicas first"): pin every secondary to ${primaryVersion} first`,
            primaryIndex,
            key,
        );
}

/**
 * The rules of a fleet mid-release: at most two images at once; at most two Kubernetes minors,
 * one apart (EKS upgrades a control plane one minor at a time, so a fleet mid-upgrade runs N and
 * N+1); the Aurora engine's rules (enginePinProblems). Each problem is reported on the first
 * entry that breaks it.
 */
export function pinProblems(
    entries: readonly PinnedEntry[],
    stackWide: Readonly<Record<PinKey, string>>,
    report: (message: string, index: number, key: PinKey) => void,
    skip: readonly PinKey[] = [],
): void {
    const images = new Map<string, string[]>();
    entries.forEach((entry) => {
        const image = effectivePin(entry, "image", stackWide);
        images.set(image, [...(images.get(image) ?? []), entry.name]);
    });
    if (images.size > MAX_DISTINCT_IMAGES) {
        const third = entries.findIndex((e) => [...images.keys()].indexOf(effectivePin(e, "image", stackWide)) >= MAX_DISTINCT_IMAGES);
        const which = [...images.entries()].map(
            ([image, cells]) => `${cells.join(", ")}: ${image.slice(image.indexOf("@") + 1, image.indexOf("@") + 20)}…`,
        );
        report(
            `the cells would run ${images.size} distinct images (${which.join("; ")}); a release moves cells from one image to one other: finish or roll back the release under way before starting another`,
            third,
            "image",
        );
    }
    const minors = [...new Set(entries.map((e) => effectivePin(e, "kubernetesVersion", stackWide)))].sort(
        (a, b) => minorOf(a) - minorOf(b),
    );
    if (minors.length > 2 || (minors.length === 2 && minorOf(minors[1]) - minorOf(minors[0]) !== 1)) {
        const index = entries.findIndex((e) => e.pins?.kubernetesVersion !== undefined);
        report(
            `the cells would run Kubernetes ${minors.join(", ")}; EKS upgrades one minor at a time, so a fleet mid-upgrade runs two adjacent minors at most`,
            Math.max(index, 0),
            "kubernetesVersion",
        );
    }
    if (!skip.includes("auroraEngineVersion")) enginePinProblems(entries, stackWide.auroraEngineVersion, report);
}

/** Every region once across the waves, and no wave naming a region the stack lacks. */
export function waveProblems(waves: readonly (readonly string[])[], regions: readonly string[], report: Report): void {
    const seen = new Map<string, number>();
    waves.forEach((wave, w) =>
        wave.forEach((region, i) => {
            if (!regions.includes(region))
                report(`${show(region)} is not in platform:regions (${regions.join(", ")}); list only the stack's regions`, [
                    "waves",
                    w,
                    i,
                ]);
            else if (seen.has(region))
                report(`${show(region)} is already in wave ${seen.get(region)! + 1}; list each region in one wave`, ["waves", w, i]);
            else seen.set(region, w);
        }),
    );
    const missing = regions.filter((r) => !seen.has(r));
    if (missing.length > 0) report(`${missing.join(", ")} in no wave; every region of platform:regions takes each release`, ["waves"]);
}

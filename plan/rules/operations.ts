/**
 * The plan rules of regions/cloudRules.ts about how a deployment behaves once it runs: where its
 * subnets land (by zone ID), when its database instances reboot (maintenance windows), and the
 * form in which an API stores a value (Cloudflare's webhook ids). Checked on one plan's
 * resources, like limits.ts.
 */
import { WEBHOOK_ID } from "../../config/edge";
import { UNSUPPORTED_ZONE_IDS } from "../../regions/catalog";
import { UNKNOWN } from "../runtime";
import {
    type CloudRuleViolation,
    type RuleResource,
    type RuleResources,
    T,
    inputAt,
    knownString,
    ofType,
    referenced,
    violation,
} from "./violation";

function subnetViolations(resources: RuleResources): CloudRuleViolation[] {
    const out: CloudRuleViolation[] = [];
    for (const subnet of ofType(resources, T.subnet)) {
        const id = subnet.inputs.availabilityZoneId;
        const name = subnet.inputs.availabilityZone;
        if (knownString(id)) {
            const why = UNSUPPORTED_ZONE_IDS[id];
            if (why) out.push(violation("subnet-zone-by-id", subnet.urn, `availabilityZoneId ${id}: ${why}`));
        } else if (knownString(name)) {
            out.push(
                violation(
                    "subnet-zone-by-id",
                    subnet.urn,
                    `availabilityZone ${name} is a name, which each account maps to its own physical zone: it may be one EKS refuses`,
                ),
            );
        }
    }
    return out;
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEK = 7 * 24 * 60;

/**
 * `ddd:hh24:mi-ddd:hh24:mi` → [start, end) in minutes of the week (end past WEEK when it wraps), or
 * undefined when it is not one AWS accepts: the format, UTC hours and minutes, at least 30 minutes
 * (CreateDBInstance, PreferredMaintenanceWindow constraints).
 */
function weeklyWindow(window: unknown): [number, number] | undefined {
    const m = typeof window === "string" ? /^([a-z]{3}):(\d\d):(\d\d)-([a-z]{3}):(\d\d):(\d\d)$/i.exec(window) : null;
    if (!m) return undefined;
    const at = (day: string, h: string, mi: string) => {
        const d = DAYS.indexOf(day.toLowerCase());
        return d < 0 || Number(h) > 23 || Number(mi) > 59 ? NaN : d * 1440 + Number(h) * 60 + Number(mi);
    };
    const start = at(m[1], m[2], m[3]);
    let end = at(m[4], m[5], m[6]);
    if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
    if (end < start) end += WEEK;
    return end - start >= 30 ? [start, end] : undefined;
}

/** True when two weekly windows share a minute (either may wrap past Saturday midnight). */
function overlaps(a: [number, number], b: [number, number]): boolean {
    return [-WEEK, 0, WEEK].some((shift) => a[0] < b[1] + shift && b[0] + shift < a[1]);
}

/** A daily `hh24:mi-hh24:mi` backup window as the seven weekly windows it occupies. */
function dailyWindows(window: unknown): [number, number][] {
    const m = typeof window === "string" ? /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window) : null;
    if (!m) return [];
    const start = Number(m[1]) * 60 + Number(m[2]);
    let end = Number(m[3]) * 60 + Number(m[4]);
    if (end <= start) end += 1440;
    return DAYS.map((_, d) => [d * 1440 + start, d * 1440 + end] as [number, number]);
}

function maintenanceViolations(resources: RuleResources): CloudRuleViolation[] {
    const clusters = ofType(resources, T.cluster);
    const instances = ofType(resources, T.instance);
    const out: CloudRuleViolation[] = [];
    for (const cluster of clusters) {
        // The cluster's own windows may not overlap (CreateDBCluster PreferredBackupWindow: "Must not conflict with the preferred maintenance window").
        const own = weeklyWindow(cluster.inputs.preferredMaintenanceWindow);
        if (own && dailyWindows(cluster.inputs.preferredBackupWindow).some((b) => overlaps(own, b)))
            out.push(
                violation(
                    "aurora-instance-windows-staggered",
                    cluster.urn,
                    `the cluster's preferredMaintenanceWindow ${String(cluster.inputs.preferredMaintenanceWindow)} overlaps its preferredBackupWindow ${String(cluster.inputs.preferredBackupWindow)}`,
                ),
            );
        const members = instances.filter((i) => referenced(i, "clusterIdentifier", clusters, "clusterIdentifier") === cluster);
        if (members.length < 2) continue;
        const windows: [RuleResource, [number, number]][] = [];
        for (const instance of members) {
            const raw = instance.inputs.preferredMaintenanceWindow;
            if (instance.inputs.applyImmediately === true) {
                out.push(
                    violation(
                        "aurora-instance-windows-staggered",
                        instance.urn,
                        "applyImmediately is true: a new instanceClass reboots this instance during the update, beside its cluster's other instances",
                    ),
                );
                continue;
            }
            if (raw === UNKNOWN) continue;
            const window = weeklyWindow(raw);
            if (!window) {
                out.push(
                    violation(
                        "aurora-instance-windows-staggered",
                        instance.urn,
                        raw === undefined
                            ? "no preferredMaintenanceWindow: RDS picks one at random from an 8-hour block, the same block for every instance of the region"
                            : `preferredMaintenanceWindow ${String(raw)} is not ddd:hh24:mi-ddd:hh24:mi (UTC) of at least 30 minutes`,
                    ),
                );
                continue;
            }
            const clash = windows.find(([, other]) => overlaps(window, other));
            if (clash)
                out.push(
                    violation(
                        "aurora-instance-windows-staggered",
                        instance.urn,
                        `preferredMaintenanceWindow ${String(raw)} overlaps ${clash[0].urn.split("::").pop()}'s ${String(clash[0].inputs.preferredMaintenanceWindow)}`,
                    ),
                );
            windows.push([instance, window]);
        }
    }
    return out;
}

function webhookViolations(resources: RuleResources): CloudRuleViolation[] {
    const out: CloudRuleViolation[] = [];
    for (const policy of ofType(resources, T.notificationPolicy)) {
        const webhooks = inputAt(policy.inputs, "mechanisms.webhooks");
        if (!Array.isArray(webhooks)) continue;
        for (const [i, webhook] of webhooks.entries()) {
            const id = inputAt(webhook, "id");
            if (knownString(id) && !WEBHOOK_ID.test(id))
                out.push(
                    violation(
                        "cloudflare-webhook-id-form",
                        policy.urn,
                        `mechanisms.webhooks[${i}].id "${id}" is not the hyphenated UUID the API returns: the stored set differs from the declared one on every preview`,
                    ),
                );
        }
    }
    return out;
}

/** Every operations rule's findings on one plan. */
export function operationsViolations(resources: RuleResources): CloudRuleViolation[] {
    return [...subnetViolations(resources), ...maintenanceViolations(resources), ...webhookViolations(resources)];
}

/**
 * The `platform:observability` section: log retention, the OpenSearch log domain's size,
 * Prometheus retention and storage, and an optional alert webhook. Every key has a
 * default, so the section may be left out.
 */
import { type Reader, isRecord, show } from "./problems";

export interface OpenSearchSizing {
    /** Data node type, three nodes (one per AZ). @default "r6g.large.search" */
    readonly dataInstanceType: string;
    /** Dedicated master type, three nodes. @default "m6g.large.search" */
    readonly masterInstanceType: string;
    /** gp3 volume per data node, GiB. @default 100 */
    readonly volumeSizeGiB: number;
    /** Days a log index lives before the ISM policy deletes it. @default 14 */
    readonly indexRetentionDays: number;
}

export interface PrometheusSizing {
    /** Days Prometheus keeps samples. @default 15 */
    readonly retentionDays: number;
    /** Persistent volume per Prometheus replica, GiB (gp3). @default 100 */
    readonly volumeSizeGiB: number;
}

export interface ObservabilityConfig {
    /**
     * Days CloudWatch keeps the OpenSearch service logs and the EKS control-plane logs.
     * Must be a retention CloudWatch offers. @default 90
     */
    readonly logRetentionDays: number;
    readonly opensearch: OpenSearchSizing;
    readonly prometheus: PrometheusSizing;
    /**
     * An extra Alertmanager receiver (e.g. a chat or paging webhook), besides the region's
     * SNS topic. A secret: set it with `pulumi config set --secret --path
     * 'platform:observability.alertWebhookUrl' https://…`. @default none
     */
    readonly alertWebhookUrl?: string;
}

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const OBSERVABILITY_DEFAULTS = {
    logRetentionDays: 90,
    opensearch: {
        dataInstanceType: "r6g.large.search",
        masterInstanceType: "m6g.large.search",
        volumeSizeGiB: 100,
        indexRetentionDays: 14,
    },
    prometheus: { retentionDays: 15, volumeSizeGiB: 100 },
} as const;

/** Stand-in for an encrypted webhook the offline plan cannot decrypt (a `{ secure: … }` value). */
export const OFFLINE_WEBHOOK = "https://offline-plan-secret.invalid/alerts";

const SEARCH_TYPE = /^[a-z][a-z0-9]*\.[a-z0-9]+\.search$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;

export function parseObservability(root: Reader): ObservabilityConfig {
    const section = root.object("observability");
    section.noUnknownKeys(["logRetentionDays", "opensearch", "prometheus", "alertWebhookUrl"]);

    const logRetentionDays = section.integer("logRetentionDays", { min: 1, max: 3653, default: OBSERVABILITY_DEFAULTS.logRetentionDays });
    if (section.value.logRetentionDays !== undefined && !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        section.report(
            section.at("logRetentionDays"),
            `${show(section.value.logRetentionDays)} is not a CloudWatch Logs retention; use one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
        );
    }

    const os = section.object("opensearch");
    os.noUnknownKeys(["dataInstanceType", "masterInstanceType", "volumeSizeGiB", "indexRetentionDays"]);
    const typeHelp = "an OpenSearch instance type such as r6g.large.search that exists in every region of the stack";
    const opensearch: OpenSearchSizing = {
        dataInstanceType: os.string("dataInstanceType", {
            default: OBSERVABILITY_DEFAULTS.opensearch.dataInstanceType,
            pattern: SEARCH_TYPE,
            allowed: typeHelp,
        }),
        masterInstanceType: os.string("masterInstanceType", {
            default: OBSERVABILITY_DEFAULTS.opensearch.masterInstanceType,
            pattern: SEARCH_TYPE,
            allowed: typeHelp,
        }),
        // gp3 volumes on OpenSearch start at 10 GiB; 16 TiB is the gp3 ceiling.
        volumeSizeGiB: os.integer("volumeSizeGiB", { min: 10, max: 16384, default: OBSERVABILITY_DEFAULTS.opensearch.volumeSizeGiB }),
        indexRetentionDays: os.integer("indexRetentionDays", {
            min: 1,
            max: 3650,
            default: OBSERVABILITY_DEFAULTS.opensearch.indexRetentionDays,
        }),
    };
    // Burstable t3 masters cannot hold a 3-AZ production cluster state reliably (AWS advises against them).
    if (opensearch.masterInstanceType.startsWith("t")) {
        os.report(
            os.at("masterInstanceType"),
            `${show(opensearch.masterInstanceType)} is a burstable type; dedicated masters of a production domain need m/r/c types, e.g. m6g.large.search`,
        );
    }

    const prom = section.object("prometheus");
    prom.noUnknownKeys(["retentionDays", "volumeSizeGiB"]);
    const prometheus: PrometheusSizing = {
        retentionDays: prom.integer("retentionDays", { min: 1, max: 365, default: OBSERVABILITY_DEFAULTS.prometheus.retentionDays }),
        volumeSizeGiB: prom.integer("volumeSizeGiB", { min: 10, max: 16384, default: OBSERVABILITY_DEFAULTS.prometheus.volumeSizeGiB }),
    };

    return { logRetentionDays, opensearch, prometheus, alertWebhookUrl: parseWebhook(section) };
}

function parseWebhook(section: Reader): string | undefined {
    const value = section.value.alertWebhookUrl;
    if (value === undefined) return undefined;
    // A nested secret the offline plan cannot decrypt arrives still encrypted.
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") return OFFLINE_WEBHOOK;
    if (typeof value !== "string" || !HTTPS_URL.test(value)) {
        // Never echo the value: it is a secret (a webhook URL carries its token).
        section.report(
            section.at("alertWebhookUrl"),
            `is not an https:// URL; give the receiver's full https URL, stored as a secret (pulumi config set --secret --path 'platform:observability.alertWebhookUrl' https://…)`,
        );
        return undefined;
    }
    return value;
}

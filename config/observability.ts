/**
 * The `platform:observability` section: log retention, the OpenSearch log domain's size,
 * Prometheus retention and storage, and an optional alert webhook. Every key has a
 * default, so the section may be left out.
 */
import { z } from "zod";
import { isRecord, show } from "./problems";
import { type Immutable, checked, defaulted, integer, oneOf, settings, text } from "./schema";

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Stand-in for an encrypted webhook the offline plan cannot decrypt (a `{ secure: … }` value). */
export const OFFLINE_WEBHOOK = "https://offline-plan-secret.invalid/alerts";

const SEARCH_TYPE = /^[a-z][a-z0-9]*\.[a-z0-9]+\.search$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;
const SEARCH_TYPE_ALLOWED = "an OpenSearch instance type such as r6g.large.search that exists in every region of the stack";

// Burstable t3 masters cannot hold a 3-AZ production cluster state reliably (AWS advises against them).
const masterInstanceType = checked(text(SEARCH_TYPE, SEARCH_TYPE_ALLOWED), (type, report) => {
    if (type.startsWith("t")) {
        report(`${show(type)} is a burstable type; dedicated masters of a production domain need m/r/c types, e.g. m6g.large.search`);
    }
}).meta({ rule: "not burstable (t*)" });

const OPENSEARCH_SCHEMA = defaulted(
    settings({
        dataInstanceType: text(SEARCH_TYPE, SEARCH_TYPE_ALLOWED)
            .default("r6g.large.search")
            .describe("Data node type, three nodes (one per AZ)"),
        masterInstanceType: masterInstanceType.default("m6g.large.search").describe("Dedicated master type, three nodes"),
        // gp3 volumes on OpenSearch start at 10 GiB; 16 TiB is the gp3 ceiling.
        volumeSizeGiB: integer(10, 16384).default(100).describe("gp3 volume per data node, GiB"),
        indexRetentionDays: integer(1, 3650).default(14).describe("Days a log index lives before the ISM policy deletes it"),
    }),
);

const PROMETHEUS_SCHEMA = defaulted(
    settings({
        // At least the 30-day SLO window: the error-budget panels and the 3-day burn-rate window read it.
        retentionDays: integer(30, 365).default(30).describe("Days Prometheus keeps samples (at least the 30-day SLO window)"),
        volumeSizeGiB: integer(10, 16384)
            .default(100)
            .describe("Persistent volume per Prometheus replica, GiB (gp3); `retentionSize` is 85% of it"),
    }),
);

const WEBHOOK_ALLOWED =
    "the receiver's full https:// URL, stored as a secret (pulumi config set --secret --path 'platform:observability.alertWebhookUrl' https://…)";

/** A webhook URL; a nested secret the offline plan cannot decrypt arrives still encrypted (`{ secure: … }`). */
const alertWebhookUrl = z
    .unknown()
    .transform((value, ctx) => {
        if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") return OFFLINE_WEBHOOK;
        if (typeof value === "string" && HTTPS_URL.test(value)) return value;
        // Never echo the value: it is a secret (a webhook URL carries its token).
        ctx.addIssue({ code: "custom", message: `is not an https:// URL; give ${WEBHOOK_ALLOWED}`, input: value });
        return z.NEVER;
    })
    .meta({ allowed: WEBHOOK_ALLOWED, secret: true });

/** `platform:observability`, all keys optional. */
export const OBSERVABILITY_SCHEMA = defaulted(
    settings({
        logRetentionDays: oneOf(CLOUDWATCH_RETENTION_DAYS, { refused: "is not a CloudWatch Logs retention" })
            .default(90)
            .describe("Days CloudWatch keeps the OpenSearch service logs and the EKS control-plane logs"),
        opensearch: OPENSEARCH_SCHEMA,
        prometheus: PROMETHEUS_SCHEMA,
        alertWebhookUrl: alertWebhookUrl
            .optional()
            .describe("An extra Alertmanager receiver (a chat or paging webhook) besides the region's SNS topic; a secret"),
    }).meta({ page: "docs/observability.md" }),
).describe("Log retention, OpenSearch sizing and index retention, Prometheus retention and volume, alert webhook (secret)");

export type ObservabilityConfig = Immutable<z.output<typeof OBSERVABILITY_SCHEMA>>;
export type OpenSearchSizing = ObservabilityConfig["opensearch"];
export type PrometheusSizing = ObservabilityConfig["prometheus"];

/** Every key at its default (no alert webhook). */
export const OBSERVABILITY_DEFAULTS: ObservabilityConfig = OBSERVABILITY_SCHEMA.parse(undefined);

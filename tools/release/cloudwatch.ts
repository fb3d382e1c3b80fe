/**
 * CloudWatch over the Query API (form-encoded POST, XML answer, API version 2010-08-01):
 * `DescribeAlarms` (the SLO alarms' states, and the ALB each 5xx alarm watches) and
 * `GetMetricData` (5xx and requests over a bake window), signed with Signature Version 4 by hand:
 * two calls do not justify the SDK's client, and a hand-made request points at a loopback
 * stand-in in tests. The credentials come from the AWS SDK's default chain (credentials.ts), so
 * profiles and SSO work. The endpoint is `https://monitoring.<region>.amazonaws.com/`, or
 * `AWS_ENDPOINT_URL_CLOUDWATCH` (the AWS SDKs' service-specific endpoint variable) when set.
 */
import { createHash, createHmac } from "node:crypto";
import { type AwsCredentials, type CredentialSource } from "./credentials";

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmInfo {
    readonly state: AlarmStateValue;
    /** The alarm's metric's dimensions (a single-metric alarm), by name. */
    readonly dimensions: Readonly<Record<string, string>>;
}

/** One metric's Sum over a window. */
export interface MetricSum {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
}

export interface AlarmApi {
    /** The state (and metric dimensions) of each alarm of `names` that exists in `region`, by name. */
    states(region: string, names: readonly string[]): Promise<Map<string, AlarmInfo>>;
    /** The Sum of each metric from `start` to `end` (ms since the epoch), in order; 0 for a metric with no data point. */
    sums(region: string, metrics: readonly MetricSum[], start: number, end: number): Promise<number[]>;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: Buffer | string, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/** RFC 3986 encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
export function rfc3986(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The headers of a signed POST of `body` to `url` for `service` (SigV4; signed: content-type,
 * host, x-amz-date, x-amz-security-token with temporary credentials, and any of `extra`).
 */
export function signedHeaders(
    url: URL,
    body: string,
    region: string,
    credentials: AwsCredentials,
    now: Date,
    service = "monitoring",
    extra: Record<string, string> = {},
    contentType = "application/x-www-form-urlencoded; charset=utf-8",
): Record<string, string> {
    const amzDate = now
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = { "content-type": contentType, host: url.host, "x-amz-date": amzDate, ...extra };
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonical = ["POST", url.pathname || "/", "", ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), sha256(body)].join(
        "\n",
    );
    const scope = `${day}/${region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service), "aws4_request");
    const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
    return {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
    };
}

const form = (params: string[][]) => params.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");

/** The DescribeAlarms request body for `names` (at most 100, the API's page size). */
export function describeAlarmsBody(names: readonly string[]): string {
    if (names.length > 100) throw new Error(`DescribeAlarms takes at most 100 alarm names; got ${names.length}`);
    return form([["Action", "DescribeAlarms"], ["Version", "2010-08-01"], ...names.map((n, i) => [`AlarmNames.member.${i + 1}`, n])]);
}

/**
 * The GetMetricData request body: each metric's Sum in 1-minute periods from `start` to `end`
 * (rounded out to whole minutes). One call holds at most 500 queries and 100,800 data points
 * (CloudWatch API Reference, GetMetricData, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 */
export function getMetricDataBody(metrics: readonly MetricSum[], start: number, end: number): string {
    const from = Math.floor(start / 60_000) * 60_000;
    const to = Math.max(Math.ceil(end / 60_000) * 60_000, from + 60_000);
    const points = ((to - from) / 60_000) * metrics.length;
    if (metrics.length > 500 || points > 100_800)
        throw new Error(`GetMetricData: ${metrics.length} metrics, ${points} points: too many for one call`);
    const params = [
        ["Action", "GetMetricData"],
        ["Version", "2010-08-01"],
        ["StartTime", new Date(from).toISOString()],
        ["EndTime", new Date(to).toISOString()],
    ];
    metrics.forEach((m, i) => {
        const q = `MetricDataQueries.member.${i + 1}`;
        params.push([`${q}.Id`, `m${i}`], [`${q}.ReturnData`, "true"]);
        params.push([`${q}.MetricStat.Metric.Namespace`, m.namespace], [`${q}.MetricStat.Metric.MetricName`, m.metricName]);
        Object.entries(m.dimensions).forEach(([name, value], j) => {
            params.push([`${q}.MetricStat.Metric.Dimensions.member.${j + 1}.Name`, name]);
            params.push([`${q}.MetricStat.Metric.Dimensions.member.${j + 1}.Value`, value]);
        });
        params.push([`${q}.MetricStat.Period`, "60"], [`${q}.MetricStat.Stat`, "Sum"]);
    });
    return form(params);
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const block = (xml: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? "";

/** Alarm name → state and dimensions from a DescribeAlarmsResponse (its MetricAlarms members). */
export function parseDescribeAlarms(xml: string): Map<string, AlarmInfo> {
    const alarms = new Map<string, AlarmInfo>();
    // A MetricAlarms member holds a Dimensions list of members of its own: split on AlarmName, the
    // first field of a MetricAlarm (and of no member inside it).
    for (const member of block(xml, "MetricAlarms").split("<AlarmName>").slice(1)) {
        const name = member.slice(0, member.indexOf("<"));
        const state = tag(member, "StateValue");
        if (state === undefined) continue;
        const dimensions: Record<string, string> = {};
        for (const d of block(member, "Dimensions").split("<member>").slice(1)) {
            const key = tag(d, "Name");
            const value = tag(d, "Value");
            if (key !== undefined && value !== undefined) dimensions[unescapeXml(key)] = unescapeXml(value);
        }
        alarms.set(unescapeXml(name), { state: state as AlarmStateValue, dimensions });
    }
    return alarms;
}

/** Query id → the sum of its values, from a GetMetricDataResponse. */
export function parseGetMetricData(xml: string): Map<string, number> {
    const sums = new Map<string, number>();
    // Id is the first field of a MetricDataResult.
    for (const result of block(xml, "MetricDataResults").split("<Id>").slice(1)) {
        const id = result.slice(0, result.indexOf("<"));
        const values = [...block(result, "Values").matchAll(/<member>([^<]*)<\/member>/g)].map((m) => Number(m[1]));
        sums.set(
            id,
            values.reduce((a, b) => a + b, 0),
        );
    }
    return sums;
}

function unescapeXml(text: string): string {
    return text
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&");
}

export function cloudWatchAlarms(credentials: CredentialSource, env: NodeJS.ProcessEnv, timeoutMs = 30_000): AlarmApi {
    async function call(region: string, action: string, body: string): Promise<string> {
        const url = new URL(env.AWS_ENDPOINT_URL_CLOUDWATCH || `https://monitoring.${region}.amazonaws.com/`);
        const response = await fetch(url, {
            method: "POST",
            headers: signedHeaders(url, body, region, await credentials(), new Date()),
            body,
            signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        if (!response.ok) {
            throw new Error(
                `CloudWatch ${action} in ${region}: HTTP ${response.status} ${tag(text, "Code") ?? ""} ${tag(text, "Message") ?? ""}`.trim(),
            );
        }
        return text;
    }
    return {
        async states(region, names) {
            return parseDescribeAlarms(await call(region, "DescribeAlarms", describeAlarmsBody(names)));
        },
        async sums(region, metrics, start, end) {
            const sums = parseGetMetricData(await call(region, "GetMetricData", getMetricDataBody(metrics, start, end)));
            return metrics.map((_, i) => sums.get(`m${i}`) ?? 0);
        },
    };
}

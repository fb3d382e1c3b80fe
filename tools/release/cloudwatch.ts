/**
 * CloudWatch `DescribeAlarms` over the Query API (form-encoded POST, XML answer, API version
 * 2010-08-01), signed with Signature Version 4 by hand: the one call a release makes to AWS does
 * not justify an SDK, and a hand-made request points at a loopback stand-in in tests. The
 * endpoint is `https://monitoring.<region>.amazonaws.com/`, or `AWS_ENDPOINT_URL_CLOUDWATCH`
 * (the AWS SDKs' service-specific endpoint variable) when set.
 */
import { createHash, createHmac } from "node:crypto";

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmApi {
    /** The state of each alarm of `names` that exists in `region`, by name. */
    states(region: string, names: readonly string[]): Promise<Map<string, AlarmStateValue>>;
}

export interface AwsCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

/** The credentials of the usual environment variables; undefined when they are not set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) return undefined;
    return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

const SERVICE = "monitoring";
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: Buffer | string, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/** RFC 3986 encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
export function rfc3986(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The headers of a signed POST of `body` to `url` (SigV4, headers content-type, host, x-amz-date[, x-amz-security-token]). */
export function signedHeaders(url: URL, body: string, region: string, credentials: AwsCredentials, now: Date): Record<string, string> {
    const amzDate = now
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        host: url.host,
        "x-amz-date": amzDate,
    };
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonical = ["POST", url.pathname || "/", "", ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), sha256(body)].join(
        "\n",
    );
    const scope = `${day}/${region}/${SERVICE}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), SERVICE), "aws4_request");
    const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
    return {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
    };
}

/** The DescribeAlarms request body for `names` (at most 100, the API's page size). */
export function describeAlarmsBody(names: readonly string[]): string {
    if (names.length > 100) throw new Error(`DescribeAlarms takes at most 100 alarm names; got ${names.length}`);
    const params = [["Action", "DescribeAlarms"], ["Version", "2010-08-01"], ...names.map((n, i) => [`AlarmNames.member.${i + 1}`, n])];
    return params.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Alarm name → state from a DescribeAlarmsResponse (its MetricAlarms members). */
export function parseDescribeAlarms(xml: string): Map<string, AlarmStateValue> {
    const states = new Map<string, AlarmStateValue>();
    const metricAlarms = /<MetricAlarms>([\s\S]*?)<\/MetricAlarms>/.exec(xml)?.[1] ?? "";
    for (const member of metricAlarms.split("<member>").slice(1)) {
        const name = tag(member, "AlarmName");
        const state = tag(member, "StateValue");
        if (name !== undefined && state !== undefined) states.set(unescapeXml(name), state as AlarmStateValue);
    }
    return states;
}

function unescapeXml(text: string): string {
    return text
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&");
}

export function cloudWatchAlarms(credentials: AwsCredentials, env: NodeJS.ProcessEnv, timeoutMs = 30_000): AlarmApi {
    return {
        async states(region, names) {
            const url = new URL(env.AWS_ENDPOINT_URL_CLOUDWATCH || `https://monitoring.${region}.amazonaws.com/`);
            const body = describeAlarmsBody(names);
            const response = await fetch(url, {
                method: "POST",
                headers: signedHeaders(url, body, region, credentials, new Date()),
                body,
                signal: AbortSignal.timeout(timeoutMs),
            });
            const text = await response.text();
            if (!response.ok) {
                throw new Error(
                    `CloudWatch DescribeAlarms in ${region}: HTTP ${response.status} ${tag(text, "Code") ?? ""} ${tag(text, "Message") ?? ""}`.trim(),
                );
            }
            return parseDescribeAlarms(text);
        },
    };
}

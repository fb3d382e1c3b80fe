/**
 * A loopback stand-in for the AWS reads of a release: CloudWatch's Query API `DescribeAlarms`
 * and `GetMetricData`, and ECR's JSON 1.1 `DescribeImages`. It checks that each request is
 * SigV4-signed for its service (`monitoring`, `ecr`), records it (the region of its credential
 * scope and its access key id), and answers in the API's format: each alarm asked for with the
 * state `stateOf` gives it (undefined: the alarm does not exist) and a LoadBalancer dimension
 * `app/<alarm's cell>/0123456789abcdef`, each metric's Sum as `sumOf` gives it, and an image
 * as `hasImage` says (false: ImageNotFoundException).
 */
import * as http from "node:http";
import { type AlarmStateValue } from "../../tools/release/cloudwatch";
import { DESCRIBE_IMAGES_TARGET } from "../../tools/release/ecr";
import { listen } from "./loopback";

export interface CloudWatchStandIn {
    readonly url: string;
    /** Every DescribeAlarms: the region of its credential scope, the alarm names asked for, the access key id. */
    readonly calls: { region: string; names: string[]; accessKeyId: string }[];
    /** Every GetMetricData: region, metric names, the LoadBalancer dimension, the window. */
    readonly metricCalls: { region: string; metrics: string[]; loadBalancer: string; start: string; end: string }[];
    /** Every ECR DescribeImages: region, repository, digest. */
    readonly imageCalls: { region: string; repository: string; digest: string }[];
    stateOf: (name: string) => AlarmStateValue | undefined;
    /** The Sum of `metric` of `loadBalancer` over the window asked (default: 6,000 requests, no 5xx). */
    sumOf: (metric: string, loadBalancer: string, region: string) => number;
    hasImage: (region: string, repository: string, digest: string) => boolean;
    close(): Promise<void>;
}

export const AWS_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret-not-a-secret" };

/** platform-prod-apse1-alb-p99-latency → app/platform-prod-apse1-alb/0123456789abcdef */
export const balancerOf = (alarm: string) => `app/${alarm.replace(/-alb-.*$/, "-alb")}/0123456789abcdef`;

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export async function startCloudWatch(): Promise<CloudWatchStandIn> {
    const state = {
        calls: [] as CloudWatchStandIn["calls"],
        metricCalls: [] as CloudWatchStandIn["metricCalls"],
        imageCalls: [] as CloudWatchStandIn["imageCalls"],
        stateOf: (() => "OK") as CloudWatchStandIn["stateOf"],
        sumOf: ((metric: string) => (metric === "RequestCount" ? 6000 : 0)) as CloudWatchStandIn["sumOf"],
        hasImage: (() => true) as CloudWatchStandIn["hasImage"],
    };
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => {
            const scope =
                /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/\d{8}\/([a-z0-9-]+)\/(monitoring|ecr)\/aws4_request, SignedHeaders=([a-z;-]+), Signature=[0-9a-f]{64}$/.exec(
                    req.headers.authorization ?? "",
                );
            const refuse = (message: string) => {
                res.writeHead(403, { "content-type": "text/xml" });
                res.end(`<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>${message}</Message></Error></ErrorResponse>`);
            };
            if (req.method !== "POST" || !scope) return refuse("bad request");
            const [, accessKeyId, region, service, signed] = scope;
            if (service === "ecr") {
                if (req.headers["x-amz-target"] !== DESCRIBE_IMAGES_TARGET || signed !== "content-type;host;x-amz-date;x-amz-target")
                    return refuse("not DescribeImages");
                const body = JSON.parse(text) as { repositoryName: string; imageIds: { imageDigest: string }[] };
                const digest = body.imageIds[0].imageDigest;
                state.imageCalls.push({ region, repository: body.repositoryName, digest });
                if (!state.hasImage(region, body.repositoryName, digest)) {
                    res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
                    res.end(
                        JSON.stringify({
                            __type: "ImageNotFoundException",
                            message: `The image with imageId {imageDigest:'${digest}'} does not exist`,
                        }),
                    );
                    return;
                }
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                res.end(JSON.stringify({ imageDetails: [{ repositoryName: body.repositoryName, imageDigest: digest }] }));
                return;
            }
            const form = new URLSearchParams(text);
            if (form.get("Version") !== "2010-08-01" || signed !== "content-type;host;x-amz-date") return refuse("bad request");
            if (form.get("Action") === "GetMetricData") {
                const metrics: string[] = [];
                for (let i = 1; form.has(`MetricDataQueries.member.${i}.Id`); i++)
                    metrics.push(form.get(`MetricDataQueries.member.${i}.MetricStat.Metric.MetricName`)!);
                const loadBalancer = form.get("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value") ?? "";
                state.metricCalls.push({ region, metrics, loadBalancer, start: form.get("StartTime")!, end: form.get("EndTime")! });
                const results = metrics
                    .map(
                        (m, i) =>
                            `<member><Id>${form.get(`MetricDataQueries.member.${i + 1}.Id`)}</Id><Label>${m}</Label><Timestamps><member>${form.get("StartTime")}</member></Timestamps><Values><member>${state.sumOf(m, loadBalancer, region)}</member></Values><StatusCode>Complete</StatusCode></member>`,
                    )
                    .join("");
                res.writeHead(200, { "content-type": "text/xml" });
                res.end(
                    `<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>${results}</MetricDataResults></GetMetricDataResult></GetMetricDataResponse>`,
                );
                return;
            }
            if (form.get("Action") !== "DescribeAlarms") return refuse("unknown action");
            const names = [...form.entries()].filter(([k]) => k.startsWith("AlarmNames.member.")).map(([, v]) => v);
            state.calls.push({ region, names, accessKeyId });
            const members = names
                .map((name) => ({ name, value: state.stateOf(name) }))
                .filter((a) => a.value !== undefined)
                .map(
                    (a) =>
                        `<member><AlarmName>${xml(a.name)}</AlarmName><AlarmArn>arn:aws:cloudwatch:${region}:123456789012:alarm:${xml(a.name)}</AlarmArn><StateValue>${a.value}</StateValue><Namespace>AWS/ApplicationELB</Namespace><Dimensions><member><Name>LoadBalancer</Name><Value>${balancerOf(a.name)}</Value></member></Dimensions></member>`,
                )
                .join("");
            res.writeHead(200, { "content-type": "text/xml" });
            res.end(
                `<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms>${members}</MetricAlarms><CompositeAlarms/></DescribeAlarmsResult></DescribeAlarmsResponse>`,
            );
        });
    });
    return listen(server, state) as Promise<CloudWatchStandIn>;
}

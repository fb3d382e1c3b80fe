/**
 * A loopback stand-in for CloudWatch's Query API `DescribeAlarms`: it checks that the request is
 * SigV4-signed for the `monitoring` service, records it, and answers in the API's XML with the
 * state `stateOf` gives each alarm asked for (undefined: the alarm does not exist).
 */
import * as http from "node:http";
import { type AlarmStateValue } from "../../tools/release/cloudwatch";
import { listen } from "./loopback";

export interface CloudWatchStandIn {
    readonly url: string;
    /** Every request: the region of its credential scope and the alarm names asked for. */
    readonly calls: { region: string; names: string[] }[];
    stateOf: (name: string) => AlarmStateValue | undefined;
    close(): Promise<void>;
}

export const AWS_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret-not-a-secret" };

export async function startCloudWatch(): Promise<CloudWatchStandIn> {
    const state = { calls: [] as CloudWatchStandIn["calls"], stateOf: (() => "OK") as CloudWatchStandIn["stateOf"] };
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => {
            const scope =
                /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/([a-z0-9-]+)\/monitoring\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/.exec(
                    req.headers.authorization ?? "",
                );
            const form = new URLSearchParams(text);
            if (req.method !== "POST" || !scope || form.get("Action") !== "DescribeAlarms" || form.get("Version") !== "2010-08-01") {
                res.writeHead(403, { "content-type": "text/xml" });
                res.end("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad request</Message></Error></ErrorResponse>");
                return;
            }
            const names = [...form.entries()].filter(([k]) => k.startsWith("AlarmNames.member.")).map(([, v]) => v);
            state.calls.push({ region: scope[1], names });
            const members = names
                .map((name) => ({ name, value: state.stateOf(name) }))
                .filter((a) => a.value !== undefined)
                .map((a) => `<member><AlarmName>${a.name}</AlarmName><StateValue>${a.value}</StateValue></member>`)
                .join("");
            res.writeHead(200, { "content-type": "text/xml" });
            res.end(
                `<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms>${members}</MetricAlarms><CompositeAlarms/></DescribeAlarmsResult></DescribeAlarmsResponse>`,
            );
        });
    });
    return listen(server, state) as Promise<CloudWatchStandIn>;
}

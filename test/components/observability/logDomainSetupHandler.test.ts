/**
 * The log domain setup's very source, run against a fake OpenSearch domain on loopback that speaks
 * the security plugin's and ISM's REST API as their documentation has them (create-or-replace PUTs,
 * `GET _plugins/_ism/policies/<id>` with `_seq_no`/`_primary_term` and the fields the service adds,
 * 409 on a stale or missing `if_seq_no`, 200 with per-index `failed_indices` from `_ism/add` and
 * `_ism/change_policy`), and a fake STS reached through AWS_ENDPOINT_URL_STS by the real
 * @aws-sdk/client-sts. The fake domain checks every request's SigV4 signature with
 * @smithy/signature-v4 (service `es`, the cell's region, the assumed session's key and token), so
 * an unsigned, wrongly scoped or wrongly signed request fails here as it would on AWS.
 */
import * as assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { ismPolicy } from "../../../components/observability/ism";
import { AUDIT_CONFIG, logDomainSetupEvent, logsWriterRole } from "../../../components/observability/logDomainSetup";
import { LOG_DOMAIN_SETUP_HANDLER_SOURCE } from "../../../components/observability/logDomainSetupHandler";
import { listen } from "../../support/loopback";

const REGION = "eu-central-1";
const MASTER = "arn:aws:iam::123456789012:role/euc1-obs-logs-admin-1a2b3c4";
const WRITER = "arn:aws:iam::123456789012:role/euc1-obs-fluent-bit-role-5d6e7f8";
const SESSION = {
    accessKeyId: "ASIAFAKEASSUMEDMASTER",
    secretAccessKey: "assumed-secret-test-only",
    sessionToken: "assumed-token-test-only",
};
const ALREADY = "This index already has a policy, use the update policy API to update index policies";
const NOT_MANAGED = "This index is not being managed";

interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
}
interface Handler {
    run(
        event: Record<string, unknown>,
        deps: { origin: string; credentials: () => Promise<Credentials> },
    ): Promise<Record<string, unknown>>;
    assumeMaster(event: Record<string, unknown>): Promise<Credentials>;
    sign(request: {
        method: string;
        url: URL;
        headers: Record<string, string>;
        payload?: string;
        region: string;
        service: string;
        credentials: Credentials;
        now: Date;
    }): Record<string, string>;
}
interface Call {
    readonly method: string;
    readonly path: string;
    readonly body: unknown;
}
interface Policy {
    doc: Record<string, unknown>;
    seqNo: number;
    primaryTerm: number;
}

type Bytes = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Bytes): string | Buffer =>
    typeof data === "string"
        ? data
        : ArrayBuffer.isView(data)
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : Buffer.from(data);

/** SHA-256 for the verifying signer, from node:crypto as in the handler. */
class Sha256 {
    private readonly hash;
    constructor(secret?: Bytes) {
        this.hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
    }
    update(data: Bytes): void {
        this.hash.update(bytes(data));
    }
    digest(): Promise<Uint8Array> {
        return Promise.resolve(new Uint8Array(this.hash.digest()));
    }
}

/** A fake OpenSearch domain: roles, role mappings, one ISM policy, log indices and the audit config. */
class FakeDomain {
    readonly calls: Call[] = [];
    readonly roles = new Map<string, unknown>();
    readonly mappings = new Map<string, unknown>();
    policy?: Policy;
    /** Index name → the policy revision (seq_no) it runs, or null when unmanaged. */
    readonly indices = new Map<string, number | null>();
    /** Indices between two states: change_policy refuses them (RestChangePolicyAction). */
    readonly transitioning = new Set<string>();
    audit: unknown = { enabled: false };
    /** Requests answered 503 before the domain is ready. */
    notReady = 0;
    /** Answer 403 to everything, as a domain that does not map the caller. */
    forbid = false;
    readonly signatureProblems: string[] = [];
    private listening?: { readonly url: string; close(): Promise<void> };
    private seq = 0;

    async start(): Promise<string> {
        const server = http.createServer((req, res) => {
            let raw = "";
            req.on("data", (d: Buffer) => (raw += d.toString("utf8")));
            req.on("end", () => {
                void this.verify(req, raw).then(() => {
                    const url = new URL(req.url ?? "/", "http://fake");
                    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
                    this.calls.push({ method: req.method ?? "", path: url.pathname + url.search, body });
                    const [status, answer] = this.answer(req.method ?? "", url, body);
                    res.writeHead(status, { "content-type": "application/json" });
                    res.end(JSON.stringify(answer));
                });
            });
        });
        this.listening = await listen(server, {});
        return this.listening.url;
    }
    stop(): Promise<void> {
        return this.listening?.close() ?? Promise.resolve();
    }

    /** Recomputes the request's SigV4 signature from what arrived, with the assumed session's secret. */
    private async verify(req: http.IncomingMessage, raw: string): Promise<void> {
        const auth = req.headers.authorization ?? "";
        const m =
            /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
                auth,
            );
        if (!m) return void this.signatureProblems.push(`unsigned: ${req.method} ${req.url}`);
        const [, key, , region, service, signedHeaders, signature] = m;
        if (
            key !== SESSION.accessKeyId ||
            region !== REGION ||
            service !== "es" ||
            req.headers["x-amz-security-token"] !== SESSION.sessionToken
        )
            return void this.signatureProblems.push(`scope ${key}/${region}/${service}`);
        // A signed payload hash stands for the body in the signature: it must be the hash of what arrived.
        const payloadHash = req.headers["x-amz-content-sha256"];
        if (payloadHash !== undefined && payloadHash !== createHash("sha256").update(raw).digest("hex"))
            return void this.signatureProblems.push(`payload hash: ${req.method} ${req.url}`);
        const url = new URL(req.url ?? "/", "http://fake");
        const headers = Object.fromEntries(signedHeaders.split(";").map((h) => [h, String(req.headers[h])]));
        const date = String(req.headers["x-amz-date"]);
        const signingDate = new Date(
            `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
        );
        const expected = await new SignatureV4({ service: "es", region: REGION, credentials: SESSION, sha256: Sha256 }).sign(
            {
                method: req.method ?? "",
                protocol: "http:",
                hostname: "127.0.0.1",
                path: url.pathname,
                query: Object.fromEntries(url.searchParams),
                headers,
                body: raw || undefined,
            },
            { signingDate },
        );
        if (!String(expected.headers.authorization).endsWith(`Signature=${signature}`))
            this.signatureProblems.push(`bad signature: ${req.method} ${req.url}`);
    }

    private answer(method: string, url: URL, body: unknown): [number, unknown] {
        if (this.notReady > 0) {
            this.notReady--;
            return [503, { Message: "OpenSearch Security not initialized." }];
        }
        if (this.forbid)
            return [
                403,
                { error: { type: "security_exception", reason: "no permissions for [cluster:admin/opendistro/security]" }, status: 403 },
            ];
        const p = url.pathname;
        let m: RegExpExecArray | null;
        if ((m = /^\/_plugins\/_security\/api\/(roles|rolesmapping)\/([^/]+)$/.exec(p)) && method === "PUT") {
            const store = m[1] === "roles" ? this.roles : this.mappings;
            const existed = store.has(m[2]);
            store.set(m[2], body);
            return existed
                ? [200, { status: "OK", message: `'${m[2]}' updated.` }]
                : [201, { status: "CREATED", message: `'${m[2]}' created.` }];
        }
        if (p === "/_plugins/_security/api/audit/config" && method === "PUT")
            return ((this.audit = body), [200, { status: "OK", message: "'config' updated." }]);
        if ((m = /^\/_plugins\/_ism\/policies\/([^/]+)$/.exec(p))) {
            const id = m[1];
            if (method === "GET") {
                if (!this.policy) return [404, { error: { type: "status_exception", reason: "Policy not found" }, status: 404 }];
                return [
                    200,
                    { _id: id, _version: 1, _seq_no: this.policy.seqNo, _primary_term: this.policy.primaryTerm, policy: this.stored(id) },
                ];
            }
            if (method === "PUT") {
                const ifSeq = url.searchParams.get("if_seq_no");
                const ifTerm = url.searchParams.get("if_primary_term");
                const conflict = this.policy
                    ? ifSeq !== String(this.policy.seqNo) || ifTerm !== String(this.policy.primaryTerm)
                    : ifSeq !== null;
                if (conflict)
                    return [
                        409,
                        { error: { type: "version_conflict_engine_exception", reason: `[${id}]: version conflict` }, status: 409 },
                    ];
                this.policy = { doc: (body as { policy: Record<string, unknown> }).policy, seqNo: ++this.seq, primaryTerm: 1 };
                return [
                    this.policy.seqNo === 1 ? 201 : 200,
                    { _id: id, _seq_no: this.policy.seqNo, _primary_term: 1, policy: { policy: this.stored(id) } },
                ];
            }
        }
        if ((m = /^\/_plugins\/_ism\/(add|change_policy)\/([^/]+)$/.exec(p)) && method === "POST") {
            const patterns = m[2].split(",").map((pattern) => new RegExp(`^${pattern.replace(/\*/g, ".*")}$`));
            const failed: { index_name: string; index_uuid: string; reason: string }[] = [];
            let updated = 0;
            for (const [name, revision] of this.indices) {
                if (!patterns.some((re) => re.test(name))) continue;
                if (m[1] === "add" ? revision !== null : revision === null)
                    failed.push({ index_name: name, index_uuid: `uuid-${name}`, reason: m[1] === "add" ? ALREADY : NOT_MANAGED });
                else if (m[1] === "change_policy" && this.transitioning.has(name))
                    failed.push({
                        index_name: name,
                        index_uuid: `uuid-${name}`,
                        reason: "Cannot change policy while transitioning to new state",
                    });
                else {
                    this.indices.set(name, this.policy!.seqNo);
                    updated++;
                }
            }
            return [200, { updated_indices: updated, failures: failed.length > 0, failed_indices: failed }];
        }
        return [400, { error: { type: "illegal_argument_exception", reason: `no handler for ${method} ${p}` }, status: 400 }];
    }

    /** The policy as GET returns it: with the fields the plugin adds (im-plugin/ism/api.md). */
    private stored(id: string): Record<string, unknown> {
        const doc = structuredClone(this.policy!.doc) as {
            states: { actions: Record<string, unknown>[] }[];
            ism_template: Record<string, unknown>[];
        };
        for (const state of doc.states)
            for (const action of state.actions) action.retry = { count: 3, backoff: "exponential", delay: "1m" };
        for (const t of doc.ism_template) t.last_updated_time = 1791164226671;
        return { policy_id: id, last_updated_time: 1791164226671, schema_version: 21, error_notification: null, ...doc };
    }
}

/** A fake STS answering AssumeRole (query protocol) with the test session. */
async function startSts(calls: Record<string, string>[]): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (d: Buffer) => (raw += d.toString("utf8")));
        req.on("end", () => {
            calls.push({
                ...Object.fromEntries(new URLSearchParams(raw)),
                signed: String(req.headers.authorization?.startsWith("AWS4-HMAC-SHA256 ")),
            });
            res.writeHead(200, { "content-type": "text/xml" });
            res.end(
                `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${SESSION.accessKeyId}</AccessKeyId><SecretAccessKey>${SESSION.secretAccessKey}</SecretAccessKey><SessionToken>${SESSION.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:log-domain-setup</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/euc1-obs-logs-admin-1a2b3c4/log-domain-setup</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
            );
        });
    });
    return listen(server, {});
}

describe("log domain setup handler against a fake OpenSearch domain", function () {
    this.timeout(60_000);
    let dir: string;
    let setup: Handler;
    let domain: FakeDomain;
    let origin: string;
    let sts: { url: string; close(): Promise<void> };
    const stsCalls: Record<string, string>[] = [];
    const saved: Record<string, string | undefined> = {};
    // Fast retries for the tests; the program's own figures are pinned in logDomainSetup.test.ts.
    const event = (days = 14, retry = { deadlineMs: 2000, delayMs: 20, requestTimeoutMs: 2000 }) => ({
        ...logDomainSetupEvent({
            region: REGION,
            endpoint: "unused",
            masterRoleArn: MASTER,
            writerRoleArn: WRITER,
            indexRetentionDays: days,
        }),
        retry,
    });
    const run = (e: Record<string, unknown>, to = origin) => setup.run(e, { origin: to, credentials: () => setup.assumeMaster(e) });
    const writes = () => domain.calls.filter((c) => c.method !== "GET").map((c) => `${c.method} ${c.path}`);

    let logs: string[] = [];
    const print = console.log;
    before(async () => {
        sts = await startSts(stsCalls);
        // Test-only credentials for the STS call (the function's own role in Lambda).
        for (const [k, v] of Object.entries({
            AWS_ACCESS_KEY_ID: "AKIAFAKEFUNCTIONROLE",
            AWS_SECRET_ACCESS_KEY: "function-secret-test-only",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_ENDPOINT_URL_STS: sts.url,
        })) {
            saved[k] = process.env[k];
            process.env[k] = v;
        }
        // The handler next to a node_modules holding the SDK, as the Lambda runtime holds it.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "log-domain-setup-"));
        fs.writeFileSync(path.join(dir, "index.js"), LOG_DOMAIN_SETUP_HANDLER_SOURCE);
        fs.symlinkSync(path.join(__dirname, "..", "..", "..", "..", "node_modules"), path.join(dir, "node_modules"), "dir");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        setup = require(path.join(dir, "index.js")) as Handler;
    });
    beforeEach(async () => {
        logs = [];
        console.log = (line: string) => void logs.push(line);
        stsCalls.length = 0;
        domain = new FakeDomain();
        // Fluent Bit may have written before the setup ran (a re-created function): one index, unmanaged.
        domain.indices.set("kube-2026.12.02", null);
        domain.indices.set("other-2026.12.02", null);
        origin = await domain.start();
    });
    afterEach(async () => {
        console.log = print;
        await domain.stop();
        assert.deepEqual(
            domain.signatureProblems,
            [],
            "every request carries a valid SigV4 signature for es in the region, with the master session",
        );
    });
    after(async () => {
        for (const [k, v] of Object.entries(saved))
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        await sts.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("signs with node:crypto exactly as the SDK's SignatureV4 does (no @smithy package needed at run time)", async () => {
        const now = new Date("2026-12-03T15:04:05.678Z");
        const requests = [
            { method: "GET", url: "https://vpc-x.eu-central-1.es.amazonaws.com/_plugins/_ism/policies/platform-log-retention" },
            {
                method: "POST",
                url: "https://vpc-x.eu-central-1.es.amazonaws.com/_plugins/_ism/add/kube-*,node-*",
                payload: '{"policy_id":"p"}',
            },
            {
                method: "PUT",
                url: "https://vpc-x.eu-central-1.es.amazonaws.com/_plugins/_ism/policies/p?if_seq_no=7&if_primary_term=1",
                payload: '{"policy":{"description":"Delete log indices 30 days after creation"}}',
            },
            {
                method: "PUT",
                url: "http://127.0.0.1:4443/_plugins/_security/api/rolesmapping/logs_writer",
                payload: '{"backend_roles":["arn:aws:iam::1:role/a b"]}',
            },
        ];
        for (const r of requests) {
            const url = new URL(r.url);
            const headers: Record<string, string> = { host: url.host };
            if (r.payload !== undefined)
                Object.assign(headers, { "content-type": "application/json", "content-length": String(Buffer.byteLength(r.payload)) });
            const ours = setup.sign({
                method: r.method,
                url,
                headers,
                payload: r.payload,
                region: REGION,
                service: "es",
                credentials: SESSION,
                now,
            });
            const theirs = await new SignatureV4({ service: "es", region: REGION, credentials: SESSION, sha256: Sha256 }).sign(
                {
                    method: r.method,
                    protocol: url.protocol,
                    hostname: url.hostname,
                    port: url.port ? Number(url.port) : undefined,
                    path: url.pathname,
                    query: Object.fromEntries(url.searchParams),
                    headers,
                    body: r.payload,
                },
                { signingDate: now },
            );
            assert.deepEqual(ours, theirs.headers, `${r.method} ${r.url}`);
        }
        assert.doesNotMatch(LOG_DOMAIN_SETUP_HANDLER_SOURCE, /require\("@smithy\//, "the handler requires no @smithy package");
    });

    it("first run: assumes the master role, creates the writer role and mapping, the ISM policy, enrols existing log indices, enables audit logging", async () => {
        const result = await run(event());
        assert.deepEqual(result, {
            writer: "logs_writer",
            backendRoles: [WRITER],
            ismPolicy: "created",
            indicesMoved: 0,
            indicesNotMoved: [],
            indicesAdded: 1,
            auditLogging: true,
        });
        assert.deepEqual(
            domain.calls.map((c) => `${c.method} ${c.path}`),
            [
                "PUT /_plugins/_security/api/roles/logs_writer",
                "PUT /_plugins/_security/api/rolesmapping/logs_writer",
                "GET /_plugins/_ism/policies/platform-log-retention",
                "PUT /_plugins/_ism/policies/platform-log-retention",
                "POST /_plugins/_ism/add/kube-*,node-*",
                "PUT /_plugins/_security/api/audit/config",
            ],
        );
        assert.deepEqual(stsCalls, [
            {
                Action: "AssumeRole",
                Version: "2011-06-15",
                RoleArn: MASTER,
                RoleSessionName: "log-domain-setup",
                DurationSeconds: "900",
                signed: "true",
            },
        ]);
        assert.deepEqual(domain.roles.get("logs_writer"), logsWriterRole());
        assert.deepEqual((domain.mappings.get("logs_writer") as { backend_roles: string[] }).backend_roles, [WRITER]);
        assert.deepEqual(domain.policy?.doc, ismPolicy(14).policy);
        assert.deepEqual(domain.calls[4].body, { policy_id: "platform-log-retention" });
        assert.deepEqual(
            [...domain.indices],
            [
                ["kube-2026.12.02", 1],
                ["other-2026.12.02", null],
            ],
        );
        assert.deepEqual(domain.audit, AUDIT_CONFIG);
        assert.equal(JSON.parse(logs.at(-1)!).message, "log domain set up");
    });

    it("second run with the same event: the ISM policy is read, not written; the PUTs write the same documents; nothing changes", async () => {
        await run(event());
        const before = {
            roles: [...domain.roles],
            mappings: [...domain.mappings],
            policy: domain.policy,
            indices: [...domain.indices],
            audit: domain.audit,
        };
        domain.calls.length = 0;
        const result = await run(event());
        assert.deepEqual([result.ismPolicy, result.indicesAdded, result.indicesMoved], ["unchanged", 0, 0]);
        assert.deepEqual(writes(), [
            "PUT /_plugins/_security/api/roles/logs_writer",
            "PUT /_plugins/_security/api/rolesmapping/logs_writer",
            "POST /_plugins/_ism/add/kube-*,node-*",
            "PUT /_plugins/_security/api/audit/config",
        ]);
        assert.deepEqual(
            {
                roles: [...domain.roles],
                mappings: [...domain.mappings],
                policy: domain.policy,
                indices: [...domain.indices],
                audit: domain.audit,
            },
            before,
        );
    });

    it("retention change with an index between two states: that index keeps its revision and is named, the run does not fail", async () => {
        await run(event(14));
        domain.indices.set("node-2026.12.03", 1);
        domain.transitioning.add("node-2026.12.03");
        const result = await run(event(30));
        assert.deepEqual([result.ismPolicy, result.indicesMoved, result.indicesNotMoved], ["updated", 1, ["node-2026.12.03"]]);
        assert.deepEqual(
            [...domain.indices].filter(([name]) => name !== "other-2026.12.02"),
            [
                ["kube-2026.12.02", 2],
                ["node-2026.12.03", 1],
            ],
        );
        assert.ok(logs.some((l) => l.includes("_ism/change_policy skipped indices") && l.includes("node-2026.12.03")));
    });

    it("retention change: updates the policy with the seq_no and primary_term it read, and moves managed indices to the new revision", async () => {
        await run(event(14));
        domain.indices.set("node-2026.12.03", null);
        domain.calls.length = 0;
        const result = await run(event(30));
        assert.deepEqual([result.ismPolicy, result.indicesMoved, result.indicesAdded], ["updated", 1, 1]);
        assert.deepEqual(
            domain.calls.filter((c) => c.path.startsWith("/_plugins/_ism")).map((c) => `${c.method} ${c.path}`),
            [
                "GET /_plugins/_ism/policies/platform-log-retention",
                "PUT /_plugins/_ism/policies/platform-log-retention?if_seq_no=1&if_primary_term=1",
                "POST /_plugins/_ism/change_policy/kube-*,node-*",
                "POST /_plugins/_ism/add/kube-*,node-*",
            ],
        );
        assert.deepEqual(domain.policy?.doc, ismPolicy(30).policy);
        assert.equal((ismPolicy(30).policy as { description: string }).description, "Delete log indices 30 days after creation");
        // Both log indices run revision 2, the 30-day policy; the other index stays unmanaged.
        assert.deepEqual(
            [...domain.indices],
            [
                ["kube-2026.12.02", 2],
                ["other-2026.12.02", null],
                ["node-2026.12.03", 2],
            ],
        );
    });

    it("a 403 fails at once with the call, the domain's reason and what to check", async () => {
        domain.forbid = true;
        await assert.rejects(
            run(event()),
            new RegExp(
                `^Error: PUT /_plugins/_security/api/roles/logs_writer answered 403: .*security_exception.*; the domain refused ${MASTER}: it must be the domain's master user`,
            ),
        );
        assert.equal(domain.calls.length, 1, "no retry, no further call");
    });

    it("a domain still coming up (503) is retried, then set up", async () => {
        domain.notReady = 3;
        const result = await run(event());
        assert.equal(result.ismPolicy, "created");
        assert.equal(domain.calls.length, 3 + 6);
        assert.deepEqual(
            logs.slice(0, 3).map((l) => (JSON.parse(l) as { message: string; call: string }).call),
            Array(3).fill("PUT /_plugins/_security/api/roles/logs_writer"),
        );
    });

    it("retries are bounded: a domain that never answers fails the run within the deadline, saying so", async () => {
        domain.notReady = Number.POSITIVE_INFINITY;
        const started = Date.now();
        await assert.rejects(
            run(event(14, { deadlineMs: 300, delayMs: 50, requestTimeoutMs: 2000 })),
            /^Error: PUT \/_plugins\/_security\/api\/roles\/logs_writer: the domain was not ready within 0\.3 s \(last: HTTP 503 .*not initialized.*\); run pulumi up again once it is Active$/,
        );
        assert.ok(Date.now() - started < 1000, "stops at the deadline");
        assert.ok(domain.calls.length >= 4 && domain.calls.length <= 8, `${domain.calls.length} attempts`);
    });

    it("no connection at all (the endpoint not up yet) is retried too, then fails with the network error", async () => {
        const closed = new FakeDomain();
        const unused = await closed.start();
        await closed.stop();
        await assert.rejects(
            run(event(14, { deadlineMs: 200, delayMs: 50, requestTimeoutMs: 2000 }), unused),
            /the domain was not ready within 0\.2 s \(last: connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
        );
    });
});

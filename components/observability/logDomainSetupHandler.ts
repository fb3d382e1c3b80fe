/**
 * The log domain's setup handler, as the CommonJS source the Lambda runs (`InvokedFunction` takes
 * source, with no bundling step). With fine-grained access control the domain's security and ISM
 * settings live in the domain, behind its REST API, so this function sets them through that API,
 * as the domain's master user:
 *
 * - Credentials: AssumeRole of the master role (`@aws-sdk/client-sts`, through the VPC's STS
 *   interface endpoint); the function's own role is not mapped in the domain.
 * - Signing: SigV4 with service `es` and the domain's region (`@smithy/signature-v4`, which every
 *   AWS SDK v3 client depends on through `@aws-sdk/core`; SHA-256 from node:crypto). Both packages
 *   ship with the Lambda Node.js 22 runtime's SDK v3; the project pins the same versions as
 *   devDependencies only to run this source in-process in its tests.
 * - `PUT _plugins/_security/api/roles/<writer>` and `.../rolesmapping/<writer>`: create or replace
 *   (OpenSearch docs, security/api/roles and role-mappings/create-role-mapping: "Creates or
 *   replaces"), so a second run writes the same documents. The master role keeps `all_access` and
 *   `security_manager`, which OpenSearch Service maps to the master user itself (fgac.html).
 * - ISM (im-plugin/ism/api): `GET _plugins/_ism/policies/<id>`; 404 → `PUT` creates it; a policy
 *   that holds every field of the wanted one (the service adds `policy_id`, `last_updated_time`,
 *   `schema_version`, a `retry` per action) is left alone; otherwise `PUT ?if_seq_no=&if_primary_term=`
 *   updates it, and `POST _plugins/_ism/change_policy/<patterns>` moves indices already managed to
 *   the new revision (an index keeps the revision it was enrolled with). Then `POST
 *   _plugins/_ism/add/<patterns>` enrols existing indices (200 with per-index `failed_indices`; an
 *   index that "already has a policy" is expected, as is "not being managed" for change_policy).
 * - `PUT _plugins/_security/api/audit/config`: the second of the two steps of audit logging (AWS
 *   OpenSearch developer guide, audit-logs.html: publishing to CloudWatch, then the security
 *   plugin's switch); it replaces the whole audit configuration with the event's.
 *
 * A domain still coming up (no connection, 429, 502, 503, 504) is retried every `retry.delayMs`
 * until `retry.deadlineMs`; any other answer outside 2xx fails the run, and with it `pulumi up`,
 * naming the call and the domain's reason (a 403 also says what to check). A failed run is not
 * recorded, so the next `pulumi up` runs it again.
 *
 * test/components/observability/logDomainSetupHandler.test.ts runs this very source against a fake
 * OpenSearch and a fake STS on loopback, and checks each request's signature.
 */
export const LOG_DOMAIN_SETUP_HANDLER_SOURCE = String.raw`"use strict";
const crypto = require("node:crypto");
const http = require("node:http");
const https = require("node:https");
const { SignatureV4 } = require("@smithy/signature-v4");

const RETRIABLE = new Set([429, 502, 503, 504]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** SHA-256 and HMAC-SHA-256 for SignatureV4, from node:crypto. */
class Sha256 {
    constructor(secret) {
        this.hash = secret ? crypto.createHmac("sha256", secret) : crypto.createHash("sha256");
    }
    update(data) {
        this.hash.update(typeof data === "string" ? Buffer.from(data, "utf8") : data);
    }
    async digest() {
        return new Uint8Array(this.hash.digest());
    }
}

/** One signed request to the domain: { status, body } (JSON parsed when it is JSON). A network failure rejects. */
async function send(ctx, method, path, body) {
    const url = new URL(path, ctx.origin);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { host: url.host };
    if (payload !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const signer = new SignatureV4({ service: "es", region: ctx.region, credentials: ctx.credentials, sha256: Sha256 });
    const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: payload,
    });
    return new Promise((resolve, reject) => {
        const req = (url.protocol === "http:" ? http : https).request(url, { method, headers: signed.headers, timeout: ctx.requestTimeoutMs }, (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => {
                let parsed = text;
                try {
                    parsed = text ? JSON.parse(text) : null;
                } catch {
                    /* not JSON: kept as text */
                }
                resolve({ status: res.statusCode, body: parsed });
            });
        });
        req.on("timeout", () => req.destroy(new Error("no answer within " + ctx.requestTimeoutMs + " ms")));
        req.on("error", reject);
        req.end(payload);
    });
}

const reason = (body) => (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 500);

/** A call that must answer 2xx (or one of expected), retried while the domain is not ready. */
async function call(ctx, method, path, body, expected = []) {
    for (;;) {
        let answer;
        let failure;
        try {
            answer = await send(ctx, method, path, body);
        } catch (e) {
            failure = e.message;
        }
        if (answer && !RETRIABLE.has(answer.status)) {
            if ((answer.status >= 200 && answer.status < 300) || expected.includes(answer.status)) return answer;
            const hint =
                answer.status === 403 || answer.status === 401
                    ? "; the domain refused " + ctx.roleArn + ": it must be the domain's master user (advancedSecurityOptions.masterUserOptions.masterUserArn) and the access policy must admit it"
                    : "";
            throw new Error(method + " " + path + " answered " + answer.status + ": " + reason(answer.body) + hint);
        }
        const last = answer ? "HTTP " + answer.status + " " + reason(answer.body) : failure;
        if (Date.now() + ctx.delayMs > ctx.deadline)
            throw new Error(method + " " + path + ": the domain was not ready within " + ctx.deadlineMs / 1000 + " s (last: " + last + "); run pulumi up again once it is Active");
        console.log(JSON.stringify({ message: "the domain is not ready yet; retrying", call: method + " " + path, last }));
        await sleep(ctx.delayMs);
    }
}

/** Whether actual holds every field of wanted (arrays element by element, same length). */
function holds(actual, wanted) {
    if (Array.isArray(wanted)) return Array.isArray(actual) && actual.length === wanted.length && wanted.every((w, i) => holds(actual[i], w));
    if (wanted !== null && typeof wanted === "object")
        return actual !== null && typeof actual === "object" && !Array.isArray(actual) && Object.keys(wanted).every((k) => holds(actual[k], wanted[k]));
    return actual === wanted;
}

/** POST _plugins/_ism/<verb>/<patterns>; per-index failures other than the tolerated reason fail the run. */
async function ismIndices(ctx, verb, ism, tolerated) {
    const answer = await call(ctx, "POST", "/_plugins/_ism/" + verb + "/" + ism.indexPatterns.join(","), { policy_id: ism.policyId });
    const failed = (answer.body.failed_indices || []).filter((f) => !String(f.reason).startsWith(tolerated));
    if (failed.length) throw new Error("_ism/" + verb + " failed for " + failed.map((f) => f.index_name + " (" + f.reason + ")").join(", "));
    return answer.body.updated_indices;
}

/**
 * event: { endpoint, region, masterRoleArn, writer: { role, definition, mapping }, ism: { policyId,
 * policy, indexPatterns }, audit, retry: { deadlineMs, delayMs, requestTimeoutMs } }.
 * deps: { origin (scheme://host[:port] of the domain), credentials: () => Promise<{ accessKeyId, secretAccessKey, sessionToken }> }.
 */
async function run(event, deps) {
    const { writer, ism } = event;
    const ctx = {
        origin: deps.origin,
        region: event.region,
        roleArn: event.masterRoleArn,
        credentials: await deps.credentials(),
        deadline: Date.now() + event.retry.deadlineMs,
        deadlineMs: event.retry.deadlineMs,
        delayMs: event.retry.delayMs,
        requestTimeoutMs: event.retry.requestTimeoutMs,
    };
    const role = encodeURIComponent(writer.role);
    await call(ctx, "PUT", "/_plugins/_security/api/roles/" + role, writer.definition);
    await call(ctx, "PUT", "/_plugins/_security/api/rolesmapping/" + role, writer.mapping);

    const policyPath = "/_plugins/_ism/policies/" + encodeURIComponent(ism.policyId);
    const current = await call(ctx, "GET", policyPath, undefined, [404]);
    let policy = "unchanged";
    let moved = 0;
    if (current.status === 404) {
        await call(ctx, "PUT", policyPath, ism.policy);
        policy = "created";
    } else if (!holds(current.body.policy, ism.policy.policy)) {
        await call(ctx, "PUT", policyPath + "?if_seq_no=" + current.body._seq_no + "&if_primary_term=" + current.body._primary_term, ism.policy);
        policy = "updated";
        moved = await ismIndices(ctx, "change_policy", ism, "This index is not being managed");
    }
    const added = await ismIndices(ctx, "add", ism, "This index already has a policy");

    await call(ctx, "PUT", "/_plugins/_security/api/audit/config", event.audit);
    const result = { writer: writer.role, backendRoles: writer.mapping.backend_roles, ismPolicy: policy, indicesMoved: moved, indicesAdded: added, auditLogging: event.audit.enabled };
    console.log(JSON.stringify({ message: "log domain set up", ...result }));
    return result;
}

/** The master role's temporary credentials (AssumeRole, regional STS endpoint). */
async function assumeMaster(event) {
    const { STSClient, AssumeRoleCommand } = require("@aws-sdk/client-sts");
    const sts = new STSClient({ region: event.region });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: event.masterRoleArn, RoleSessionName: "log-domain-setup", DurationSeconds: 900 }));
    const c = out.Credentials;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

exports.run = run;
exports.assumeMaster = assumeMaster;
exports.handler = async (event) => run(event, { origin: "https://" + event.endpoint, credentials: () => assumeMaster(event) });
`;

/**
 * The log domain's setup handler, as the CommonJS source the Lambda runs (`InvokedFunction` takes
 * source, with no bundling step). With fine-grained access control the domain's security and ISM
 * settings live in the domain, behind its REST API, so this function sets them through that API,
 * as the domain's master user:
 *
 * - Credentials: AssumeRole of the master role (`@aws-sdk/client-sts`, through the VPC's STS
 *   interface endpoint); the function's own role is not mapped in the domain.
 * - Signing: SigV4 with service `es` and the domain's region, computed here with node:crypto
 *   (`sign`): AWS documents the Lambda runtime's SDK by its `@aws-sdk/*` clients only, and an
 *   internal package such as `@smithy/signature-v4` is not promised to resolve from a handler
 *   (aws-sdk-js-v3#5594: "only use dependencies included in the Lambda runtime, or fully provide
 *   all @aws-sdk and @smithy node module dependencies"). The tests hold `sign` to
 *   `@smithy/signature-v4`'s own signatures (a devDependency, test-only).
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
const RETRIABLE = new Set([429, 502, 503, 504]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const sha256hex = (data) => crypto.createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data, "utf8").digest();
/** RFC 3986 percent-encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escapeUri = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/**
 * The headers of a SigV4-signed request (AWS Signature Version 4, "Create a signed AWS API
 * request"; computed as the AWS SDK's own signer does for a service other than S3): x-amz-date,
 * x-amz-content-sha256, x-amz-security-token for session credentials, and authorization. The
 * canonical path is the request's path, its segments normalised, percent-encoded once more; the
 * query's keys and values encoded and sorted; every header given is signed.
 */
function sign({ method, url, headers, payload, region, service, credentials, now }) {
    const longDate = now.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
    const shortDate = longDate.slice(0, 8);
    const payloadHash = sha256hex(payload === undefined ? "" : payload);
    const out = { ...headers, "x-amz-date": longDate, "x-amz-content-sha256": payloadHash };
    if (credentials.sessionToken) out["x-amz-security-token"] = credentials.sessionToken;
    const canonical = {};
    for (const [name, value] of Object.entries(out))
        canonical[name.toLowerCase()] = String(value).replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
    const names = Object.keys(canonical).sort();
    const segments = [];
    for (const segment of url.pathname.split("/")) {
        if (segment === "" || segment === ".") continue;
        if (segment === "..") segments.pop();
        else segments.push(segment);
    }
    const path = "/" + segments.join("/") + (segments.length > 0 && url.pathname.endsWith("/") ? "/" : "");
    const query = [...url.searchParams]
        .map(([k, v]) => [escapeUri(k), escapeUri(v)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => k + "=" + v)
        .join("&");
    const request = [method, escapeUri(path).replace(/%2F/g, "/"), query, ...names.map((n) => n + ":" + canonical[n]), "", names.join(";"), payloadHash].join("\n");
    const scope = shortDate + "/" + region + "/" + service + "/aws4_request";
    const toSign = ["AWS4-HMAC-SHA256", longDate, scope, sha256hex(request)].join("\n");
    let key = "AWS4" + credentials.secretAccessKey;
    for (const part of [shortDate, region, service, "aws4_request"]) key = hmac(key, part);
    const signature = crypto.createHmac("sha256", key).update(toSign, "utf8").digest("hex");
    out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" + scope + ", SignedHeaders=" + names.join(";") + ", Signature=" + signature;
    return out;
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
    const signed = sign({ method, url, headers, payload, region: ctx.region, service: "es", credentials: ctx.credentials, now: new Date() });
    return new Promise((resolve, reject) => {
        const req = (url.protocol === "http:" ? http : https).request(url, { method, headers: signed, timeout: ctx.requestTimeoutMs }, (res) => {
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

/**
 * POST _plugins/_ism/<verb>/<patterns>; per-index failures other than the tolerated reasons fail
 * the run; those with a reason in reported are logged and returned (skipped), not fatal.
 */
async function ismIndices(ctx, verb, ism, tolerated, reported = []) {
    const answer = await call(ctx, "POST", "/_plugins/_ism/" + verb + "/" + ism.indexPatterns.join(","), { policy_id: ism.policyId });
    const failures = (answer.body.failed_indices || []).filter((f) => !String(f.reason).startsWith(tolerated));
    const skipped = failures.filter((f) => reported.some((r) => String(f.reason).startsWith(r)));
    const failed = failures.filter((f) => !skipped.includes(f));
    if (failed.length) throw new Error("_ism/" + verb + " failed for " + failed.map((f) => f.index_name + " (" + f.reason + ")").join(", "));
    if (skipped.length)
        console.log(JSON.stringify({ message: "_ism/" + verb + " skipped indices", indices: skipped.map((f) => f.index_name + " (" + f.reason + ")") }));
    return { updated: answer.body.updated_indices, skipped: skipped.map((f) => f.index_name) };
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
    let notMoved = [];
    if (current.status === 404) {
        await call(ctx, "PUT", policyPath, ism.policy);
        policy = "created";
    } else if (!holds(current.body.policy, ism.policy.policy)) {
        await call(ctx, "PUT", policyPath + "?if_seq_no=" + current.body._seq_no + "&if_primary_term=" + current.body._primary_term, ism.policy);
        policy = "updated";
        // An index between two states refuses the change (RestChangePolicyAction); it keeps the
        // revision it has, which the result names, rather than failing the whole run.
        const changed = await ismIndices(ctx, "change_policy", ism, "This index is not being managed", ["Cannot change policy while transitioning"]);
        moved = changed.updated;
        notMoved = changed.skipped;
    }
    const added = (await ismIndices(ctx, "add", ism, "This index already has a policy")).updated;

    await call(ctx, "PUT", "/_plugins/_security/api/audit/config", event.audit);
    const result = { writer: writer.role, backendRoles: writer.mapping.backend_roles, ismPolicy: policy, indicesMoved: moved, indicesNotMoved: notMoved, indicesAdded: added, auditLogging: event.audit.enabled };
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
exports.sign = sign;
exports.assumeMaster = assumeMaster;
exports.handler = async (event) => run(event, { origin: "https://" + event.endpoint, credentials: () => assumeMaster(event) });
`;

import * as assert from "node:assert/strict";
import { RATE_LIMIT_BODY } from "../../../components/edge/cloudflareApi";
import { Edge, type EdgeArgs, edgeProblems, writeCondition } from "../../../components/edge/edge";
import { originAuthSlots } from "../../../components/edge/originAuth";
import { type HostnameRules, cacheExpressions, hostnameRules, originAuthRule, rateLimitExpression } from "../../../components/edge/rules";
import { EDGE_DEFAULTS } from "../../../config/edge";
import { hexOf } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { poolName } from "../../../regions/naming";
import { TEST_CLOUDFLARE, TEST_ORIGIN_TOKEN, testEdgeArgs, testEdgeCell } from "../../support/cells";
import { ofType, one, evaluateOf } from "../../support/harness";

const T = {
    monitor: "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor",
    pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
    lb: "cloudflare:index/loadBalancer:LoadBalancer",
    ruleset: "cloudflare:index/ruleset:Ruleset",
    argo: "cloudflare:index/argoTieredCaching:ArgoTieredCaching",
    smart: "cloudflare:index/tieredCache:TieredCache",
    alert: "cloudflare:index/notificationPolicy:NotificationPolicy",
};
const ACCOUNT = TEST_CLOUDFLARE.accountId;
const ZONE = TEST_CLOUDFLARE.zoneId;

/** The mock id of a Cloudflare resource (plan/mocks: 32 hex from type and name). */
const idOf = (type: string, name: string) => hexOf(`${type}|${name}|`, 32);
const poolId = (code: string) => idOf(T.pool, `edge-pool-${code}`);

const cell = (region: string, primary = false) => testEdgeCell(region, { primary });
const args = testEdgeArgs;
const ORIGIN_TOKEN = TEST_ORIGIN_TOKEN;
/** The rules of the zone ruleset `name`, once it is checked to be the zone's entry point of `phase`. */
function zoneRules(ev: Evaluation, name: string, phase: string): unknown {
    const rs = one(ev, T.ruleset, name).inputs;
    assert.deepEqual([rs.zoneId, rs.kind, rs.phase], [ZONE, "zone", phase]);
    return rs.rules;
}
const owner = (tieredCache: boolean): EdgeArgs["zone"] => ({ role: "owner", tenants: [], tieredCache });

const PROD = () => [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")];

function evalEdge(a: EdgeArgs): Promise<Evaluation> {
    return evaluateOf(Edge, "edge", a);
}

describe("Edge", () => {
    let ev: Evaluation;
    before(async () => {
        // Tiered Cache is opt-in (off by default); turned on here to cover it.
        ev = await evalEdge(args(PROD(), { zone: owner(true) }));
    });

    it("declares one monitor, a pool per cell, one load balancer, the zone's four rulesets, tiered cache and the health alert", () => {
        const count = (type: string) => ofType(ev, type).length;
        assert.deepEqual(Object.fromEntries(Object.entries(T).map(([k, t]) => [k, count(t)])), {
            monitor: 1,
            pool: 3,
            lb: 1,
            ruleset: 4,
            argo: 1,
            smart: 1,
            alert: 1,
        });
        assert.equal(one(ev, "platform:edge:Edge", "edge").custom, false);
        assert.ok(
            ev.resources
                .filter((r) => r.custom && r.type.startsWith("cloudflare:"))
                .every((r) => r.parent === one(ev, "platform:edge:Edge", "edge").urn),
        );
    });

    it("checks HTTPS on the health path with the public Host, every timing field declared", () => {
        assert.deepEqual(one(ev, T.monitor, "edge-monitor").inputs, {
            accountId: ACCOUNT,
            description: "api.example.com /healthz (HTTPS, Host api.example.com)",
            type: "https",
            method: "GET",
            path: "/healthz",
            port: 443,
            header: { Host: ["api.example.com"], "x-origin-auth": [ORIGIN_TOKEN] },
            expectedCodes: "2xx",
            followRedirects: false,
            allowInsecure: false,
            interval: 15,
            timeout: 5,
            retries: 1,
            consecutiveDown: 2,
            consecutiveUp: 3,
        });
    });

    it("gives each cell a pool: its ALB as the one origin with Host, port and weight, checked near the cell", () => {
        assert.deepEqual(one(ev, T.pool, "edge-pool-use1").inputs, {
            accountId: ACCOUNT,
            name: "api-example-com-use1",
            description: "api.example.com: cell use1 (us-east-1)",
            enabled: true,
            minimumOrigins: 1,
            monitor: idOf(T.monitor, "edge-monitor"),
            checkRegions: ["ENAM", "WNAM", "NSAM"],
            latitude: 39,
            longitude: -77.5,
            origins: [
                {
                    name: "use1",
                    address: "k8s-use1-api-0123456789.us-east-1.elb.amazonaws.com",
                    enabled: true,
                    port: 443,
                    weight: 1,
                    header: { hosts: ["api.example.com"] },
                },
            ],
            notificationFilter: { pool: { disable: false }, origin: { disable: false } },
        });
        assert.deepEqual(one(ev, T.pool, "edge-pool-euc1").inputs.checkRegions, ["WEU", "EEU", "NAF"]);
        assert.deepEqual(one(ev, T.pool, "edge-pool-apse1").inputs.checkRegions, ["SEAS", "SAS", "NEAS"]);
        assert.equal(one(ev, T.pool, "edge-pool-apse1").inputs.latitude, 1.3);
    });

    it("attaches the monitor to every pool", () => {
        const monitor = one(ev, T.monitor, "edge-monitor");
        for (const pool of ofType(ev, T.pool)) {
            assert.equal(pool.inputs.monitor, idOf(T.monitor, "edge-monitor"), pool.name);
            assert.ok(pool.dependencies.includes(monitor.urn), pool.name);
        }
    });

    it("steers by proximity over every pool (no region lists), with the primary first in the default pools and as fallback", () => {
        const lb = one(ev, T.lb, "edge-lb").inputs;
        assert.equal(lb.regionPools, undefined);
        const [use1, euc1, apse1] = [poolId("use1"), poolId("euc1"), poolId("apse1")];
        assert.deepEqual(lb.defaultPools, [use1, euc1, apse1]);
        assert.equal(lb.fallbackPool, use1);
        // Proximity measures from the pools' coordinates, the catalog's: the steering table's own.
        assert.deepEqual(
            [one(ev, T.pool, "edge-pool-euc1").inputs.latitude, one(ev, T.pool, "edge-pool-euc1").inputs.longitude],
            [50.1, 8.7],
        );
    });

    it("sends writes (any method but GET, HEAD, OPTIONS) to the primary first, then the others nearest to it, without affinity", () => {
        assert.deepEqual(one(ev, T.lb, "edge-lb").inputs.rules, [
            {
                name: "writes-to-primary",
                condition: '(http.request.method ne "GET" and http.request.method ne "HEAD" and http.request.method ne "OPTIONS")',
                disabled: false,
                priority: 0,
                terminates: true,
                overrides: {
                    steeringPolicy: "off",
                    defaultPools: [poolId("use1"), poolId("euc1"), poolId("apse1")],
                    fallbackPool: poolId("use1"),
                    sessionAffinity: "none",
                },
            },
        ]);
        assert.equal(
            writeCondition(["/v1/account"]),
            '(http.request.method ne "GET" and http.request.method ne "HEAD" and http.request.method ne "OPTIONS") or http.request.uri.path eq "/v1/account" or http.request.uri.path contains "/v1/account/"',
        );
    });

    it("is a proxied proximity load balancer on the domain with secure cookie affinity and failover across pools", () => {
        const lb = one(ev, T.lb, "edge-lb").inputs;
        assert.equal(lb.zoneId, ZONE);
        assert.equal(lb.name, "api.example.com");
        assert.equal(lb.enabled, true);
        assert.equal(lb.proxied, true);
        assert.equal(lb.steeringPolicy, "proximity");
        assert.equal(lb.sessionAffinity, "cookie");
        assert.equal(lb.sessionAffinityTtl, 3600);
        assert.deepEqual(lb.sessionAffinityAttributes, {
            samesite: "Lax",
            secure: "Always",
            drainDuration: 300,
            zeroDowntimeFailover: "sticky",
        });
        assert.deepEqual(lb.adaptiveRouting, { failoverAcrossPools: true });
    });

    it("caches static assets long with deception armor, API routes only as the origin's Cache-Control says, and bypasses credentials, last", () => {
        const rs = one(ev, T.ruleset, "edge-cache-rules").inputs;
        assert.equal(rs.zoneId, ZONE);
        assert.equal(rs.kind, "zone");
        assert.equal(rs.phase, "http_request_cache_settings");
        const rules = rs.rules as { ref: string; action: string; expression: string; enabled: boolean; actionParameters: unknown }[];
        assert.deepEqual(
            rules.map((r) => r.ref),
            ["api_example_com_static_assets", "api_example_com_api_cacheable", "api_example_com_bypass_credentials"],
        );
        assert.ok(rules.every((r) => r.action === "set_cache_settings" && r.enabled === true));
        assert.deepEqual(rules[0].actionParameters, {
            cache: true,
            edgeTtl: { mode: "override_origin", default: 2592000 },
            browserTtl: { mode: "respect_origin" },
            cacheKey: { cacheDeceptionArmor: true },
        });
        // "Use cache-control header if present, bypass cache if not": a route the API marks
        // private, no-store or nothing at all is never stored.
        assert.deepEqual(rules[1].actionParameters, {
            cache: true,
            edgeTtl: { mode: "bypass_by_default" },
            browserTtl: { mode: "respect_origin" },
            cacheKey: { cacheDeceptionArmor: true },
        });
        assert.deepEqual(rules[2].actionParameters, { cache: false });
        const expr = cacheExpressions("api.example.com", EDGE_DEFAULTS);
        assert.deepEqual(
            rules.map((r) => r.expression),
            [expr.static, expr.api, expr.bypass],
        );
    });

    it("writes the cache expressions exactly: no method on the caching rules, extensions outside the API, every credential", () => {
        const expr = cacheExpressions("api.example.com", {
            apiPath: "/v1/",
            staticPathPrefix: "/static/",
            staticExtensions: ["css", "js"],
            cacheableApiRoutes: ["/v1/catalog", "/v1/config"],
            credentials: { headers: ["authorization", "x-api-key"], cookies: ["session"], queryParameters: ["token"] },
        });
        assert.equal(
            expr.static,
            '(http.host eq "api.example.com" and (starts_with(http.request.uri.path, "/static/") or (http.request.uri.path.extension in {"css" "js"} and not starts_with(http.request.uri.path, "/v1/"))))',
        );
        assert.equal(
            expr.api,
            '(http.host eq "api.example.com" and (http.request.uri.path eq "/v1/catalog" or starts_with(http.request.uri.path, "/v1/catalog/") or http.request.uri.path eq "/v1/config" or starts_with(http.request.uri.path, "/v1/config/")))',
        );
        assert.equal(
            expr.bypass,
            '(http.host eq "api.example.com" and (not (http.request.method in {"GET" "HEAD"}) or any(lower(http.request.headers.names[*])[*] eq "authorization") or any(lower(http.request.headers.names[*])[*] eq "x-api-key") or http.cookie contains "session=" or any(http.request.uri.args.names[*] eq "token") or http.request.headers.truncated))',
        );
        assert.equal(cacheExpressions("api.example.com", { ...EDGE_DEFAULTS, cacheableApiRoutes: [] }).api, undefined);
    });

    it("sets SSL Full (strict) for the hostname with a configuration rule", () => {
        assert.deepEqual(zoneRules(ev, "edge-config-rules", "http_config_settings"), [
            {
                ref: "api_example_com_ssl_strict",
                description: "api.example.com: SSL Full (strict) to the origin (the ALBs serve the domain's ACM certificate)",
                enabled: true,
                expression: '(http.host eq "api.example.com")',
                action: "set_config",
                actionParameters: { ssl: "strict" },
            },
        ]);
    });

    it("rate limits the API per data centre and client IP, with no counting expression (Business-only, and no diff without)", () => {
        const rs = one(ev, T.ruleset, "edge-rate-limit").inputs;
        assert.equal(rs.kind, "zone");
        assert.equal(rs.phase, "http_ratelimit");
        const expression = '(http.host eq "api.example.com" and starts_with(http.request.uri.path, "/v1/"))';
        assert.equal(rateLimitExpression("api.example.com", "/v1/"), expression);
        assert.deepEqual(rs.rules, [
            {
                ref: "api_example_com_api_rate_limit",
                description: "api.example.com: at most 600 API requests per 60s per client IP (per data centre), then block for 60s",
                enabled: true,
                expression,
                action: "block",
                actionParameters: { response: { statusCode: 429, contentType: "application/json", content: RATE_LIMIT_BODY } },
                ratelimit: {
                    characteristics: ["cf.colo.id", "ip.src"],
                    period: 60,
                    requestsPerPeriod: 600,
                    mitigationTimeout: 60,
                    requestsToOrigin: false,
                },
            },
        ]);
        assert.deepEqual(JSON.parse(RATE_LIMIT_BODY), { error: "rate_limited", message: "Too many requests; retry later." });
    });

    it("adds the secret origin-auth header to every request for the domain (request header transform rule)", () => {
        assert.deepEqual(zoneRules(ev, "edge-origin-auth", "http_request_late_transform"), [
            {
                ref: "api_example_com_origin_auth_header",
                description: "api.example.com: set x-origin-auth on every request",
                enabled: true,
                expression: '(http.host eq "api.example.com")',
                action: "rewrite",
                actionParameters: { headers: { "x-origin-auth": { operation: "set", value: ORIGIN_TOKEN } } },
            },
        ]);
    });

    it("turns on Tiered Cache, then its Smart topology", () => {
        const argo = one(ev, T.argo, "edge-tiered-caching");
        const smart = one(ev, T.smart, "edge-smart-tiered-cache");
        assert.deepEqual(argo.inputs, { zoneId: ZONE, value: "on" });
        assert.deepEqual(smart.inputs, { zoneId: ZONE, value: "on" });
        assert.ok(smart.dependencies.includes(argo.urn));
    });

    it("alerts on pool and origin health changes of this stack's pools only", () => {
        const alert = one(ev, T.alert, "edge-pool-health-alert").inputs;
        assert.equal(alert.accountId, ACCOUNT);
        assert.equal(alert.alertType, "load_balancing_health_alert");
        assert.equal(alert.enabled, true);
        assert.deepEqual(alert.filters, {
            poolIds: [poolId("apse1"), poolId("euc1"), poolId("use1")],
            newHealths: ["Healthy", "Unhealthy"],
            eventSources: ["pool", "origin"],
        });
        assert.deepEqual(alert.mechanisms, { emails: [{ id: "oncall@example.com" }] });
    });

    describe("options", () => {
        let bare: Evaluation;
        before(async () => {
            bare = await evalEdge(
                args(PROD(), {
                    alertEmail: undefined,
                    alertWebhookId: "b115d5ec-15c6-41ee-8b76-92c449b5227b",
                    zone: owner(false),
                    cacheableApiRoutes: [],
                    rateLimit: {
                        requestsPerPeriod: 100,
                        period: 10,
                        mitigationTimeout: 0,
                        action: "managed_challenge",
                        exemptSources: ["203.0.113.7/32", "2001:db8::/48"],
                    },
                }),
            );
        });

        it("sends alerts to a webhook instead of an email", () => {
            assert.deepEqual(one(bare, T.alert, "edge-pool-health-alert").inputs.mechanisms, {
                webhooks: [{ id: "b115d5ec-15c6-41ee-8b76-92c449b5227b" }],
            });
        });

        it("declares Tiered Cache explicitly off when turned off, and no API cache rule without cacheable routes", () => {
            assert.deepEqual(one(bare, T.argo, "edge-tiered-caching").inputs, { zoneId: ZONE, value: "off" });
            assert.deepEqual(one(bare, T.smart, "edge-smart-tiered-cache").inputs, { zoneId: ZONE, value: "off" });
            const rules = one(bare, T.ruleset, "edge-cache-rules").inputs.rules as { ref: string }[];
            assert.deepEqual(
                rules.map((r) => r.ref),
                ["api_example_com_static_assets", "api_example_com_bypass_credentials"],
            );
        });

        it("uses a managed challenge without a block response, and never counts the exempt QA sources", () => {
            const [rule] = one(bare, T.ruleset, "edge-rate-limit").inputs.rules as Record<string, unknown>[];
            assert.equal(rule.action, "managed_challenge");
            assert.equal(rule.actionParameters, undefined);
            assert.equal(
                rule.expression,
                '(http.host eq "api.example.com" and starts_with(http.request.uri.path, "/v1/") and not ip.src in {203.0.113.7/32 2001:db8::/48})',
            );
            assert.deepEqual(rule.ratelimit, {
                characteristics: ["cf.colo.id", "ip.src"],
                period: 10,
                requestsPerPeriod: 100,
                mitigationTimeout: 0,
                requestsToOrigin: false,
            });
        });

        it("declares no notification policy without a target", async () => {
            const none = await evalEdge(args(PROD(), { alertEmail: undefined }));
            assert.equal(ofType(none, T.alert).length, 0);
        });
    });

    describe("two stacks, one zone", () => {
        const tenantRules = (): HostnameRules => {
            const rules = hostnameRules({
                ...args([cell("us-east-1", true)]),
                domain: "api-staging.example.com",
                originAuthToken: "staging-token",
            });
            return { ...rules, transform: [originAuthRule(rules.hostname, "staging-token")] };
        };
        let ownerEv: Evaluation;
        let tenantEv: Evaluation;
        before(async () => {
            ownerEv = await evalEdge(
                args(PROD(), { zone: { role: "owner", tenants: [{ stack: "staging", rules: tenantRules() }], tieredCache: false } }),
            );
            tenantEv = await evalEdge(args(PROD(), { domain: "api-staging.example.com", zone: { role: "tenant", owner: "prod" } }));
        });

        it("the owner's four rulesets carry its rules, then the tenant's, each scoped to its own hostname", () => {
            const refs = (name: string) =>
                (one(ownerEv, T.ruleset, name).inputs.rules as { ref: string; expression: string }[]).map((r) => r.ref);
            assert.deepEqual(refs("edge-cache-rules"), [
                "api_example_com_static_assets",
                "api_example_com_api_cacheable",
                "api_example_com_bypass_credentials",
                "api_staging_example_com_static_assets",
                "api_staging_example_com_api_cacheable",
                "api_staging_example_com_bypass_credentials",
            ]);
            assert.deepEqual(refs("edge-config-rules"), ["api_example_com_ssl_strict", "api_staging_example_com_ssl_strict"]);
            assert.deepEqual(refs("edge-origin-auth"), [
                "api_example_com_origin_auth_header",
                "api_staging_example_com_origin_auth_header",
            ]);
            assert.deepEqual(refs("edge-rate-limit"), ["api_example_com_api_rate_limit", "api_staging_example_com_api_rate_limit"]);
            const transform = one(ownerEv, T.ruleset, "edge-origin-auth").inputs.rules as {
                expression: string;
                actionParameters: unknown;
            }[];
            assert.deepEqual(
                transform.map((r) => [r.expression, r.actionParameters]),
                [
                    ['(http.host eq "api.example.com")', { headers: { "x-origin-auth": { operation: "set", value: ORIGIN_TOKEN } } }],
                    [
                        '(http.host eq "api-staging.example.com")',
                        { headers: { "x-origin-auth": { operation: "set", value: "staging-token" } } },
                    ],
                ],
            );
        });

        it("a tenant declares no zone ruleset and no zone setting: only its load balancer, pools, monitor and alert", () => {
            assert.deepEqual(
                [T.ruleset, T.argo, T.smart].map((t) => ofType(tenantEv, t).length),
                [0, 0, 0],
            );
            assert.equal(ofType(tenantEv, T.lb).length, 1);
            assert.equal(one(tenantEv, T.lb, "edge-lb").inputs.name, "api-staging.example.com");
        });
    });

    describe("rotating the origin secret", () => {
        it("moves the active slot with each generation and renews only the slot that becomes active", () => {
            assert.deepEqual(originAuthSlots(1), { active: "a", generations: { a: 1, b: 0 } });
            assert.deepEqual(originAuthSlots(2), { active: "b", generations: { a: 1, b: 2 } });
            assert.deepEqual(originAuthSlots(3), { active: "a", generations: { a: 3, b: 2 } });
            // One step: the slot that was active keeps its generation, so its secret stays accepted.
            for (let g = 1; g < 6; g++) {
                const [before, after] = [originAuthSlots(g), originAuthSlots(g + 1)];
                assert.equal(after.generations[before.active], before.generations[before.active], `generation ${g} → ${g + 1}`);
                assert.notEqual(after.active, before.active);
            }
            assert.throws(() => originAuthSlots(0), /must be an integer ≥ 1/);
        });
    });

    describe("adding a cell", () => {
        let four: Evaluation;
        before(async () => {
            four = await evalEdge(args([...PROD(), cell("us-west-2")], { zone: owner(true) }));
        });

        it("adds exactly one pool", () => {
            const before = new Set(ev.resources.map((r) => r.urn));
            const added = four.resources.filter((r) => !before.has(r.urn));
            assert.deepEqual(
                added.map((r) => `${r.type} ${r.name}`),
                [`${T.pool} edge-pool-usw2`],
            );
            const after = new Set(four.resources.map((r) => r.urn));
            assert.deepEqual(
                ev.resources.filter((r) => !after.has(r.urn)).map((r) => r.urn),
                [],
            );
        });

        it("changes only the load balancer's pool lists, and the alert's pool filter", () => {
            const byUrn = new Map(four.resources.map((r) => [r.urn, r]));
            const changed = ev.resources.filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(byUrn.get(r.urn)!.inputs));
            assert.deepEqual(changed.map((r) => r.name).sort(), ["edge-lb", "edge-pool-health-alert"]);
            const keys = (a: RecordedResource, b: RecordedResource) =>
                Object.keys({ ...a.inputs, ...b.inputs }).filter((k) => JSON.stringify(a.inputs[k]) !== JSON.stringify(b.inputs[k]));
            assert.deepEqual(keys(one(ev, T.lb, "edge-lb"), one(four, T.lb, "edge-lb")), ["defaultPools", "rules"]);
            assert.deepEqual(keys(one(ev, T.alert, "edge-pool-health-alert"), one(four, T.alert, "edge-pool-health-alert")), ["filters"]);
            const lb = one(four, T.lb, "edge-lb").inputs;
            assert.deepEqual(lb.defaultPools, [poolId("use1"), poolId("usw2"), poolId("euc1"), poolId("apse1")]);
            assert.equal(lb.fallbackPool, poolId("use1"));
        });
    });

    describe("argument checks", () => {
        it("accepts the prod cells", () => {
            assert.deepEqual(edgeProblems(args(PROD())), []);
        });

        it("rejects no cells, steering over a region with no cell, duplicate codes, a relative health path and a bare name", () => {
            assert.deepEqual(edgeProblems(args([])), [
                "cells is empty: the load balancer needs at least one pool",
                "the steering names us-east-1, which no cell serves: steer only over the cells given",
            ]);
            assert.deepEqual(edgeProblems({ ...args(PROD()), cells: PROD().slice(1) }), [
                "the steering names us-east-1, which no cell serves: steer only over the cells given",
            ]);
            assert.deepEqual(edgeProblems(args([cell("us-east-1", true), { ...cell("eu-central-1"), code: "use1" }])), [
                "cell codes use1 appear more than once: pool names would collide",
            ]);
            assert.deepEqual(edgeProblems(args(PROD(), { healthPath: "healthz" })), ['healthPath "healthz" is not an absolute path']);
            assert.deepEqual(edgeProblems(args(PROD(), { domain: "localhost" })), ['domain "localhost" is not a hostname']);
        });

        it("rejects cache rules longer than Cloudflare accepts", () => {
            const routes = Array.from({ length: 60 }, (_, i) => `/v1/route-number-${i}`);
            const [problem] = edgeProblems(args(PROD(), { cacheableApiRoutes: routes }));
            assert.match(
                problem,
                /^the api cache rule expression has \d+ characters \(Cloudflare allows 4096\); list fewer routes or extensions$/,
            );
        });

        it("fails the evaluation, naming the problem, before declaring anything", async () => {
            await assert.rejects(
                evalEdge({ ...args(PROD()), cells: PROD().slice(1) }),
                /Edge "edge":\n- the steering names us-east-1, which no cell serves/,
            );
        });

        it("names pools after the domain and the cell code, in the characters Cloudflare allows", () => {
            assert.equal(poolName("api-staging.example.com", "euc1"), "api-staging-example-com-euc1");
            assert.match(poolName("api.example.com", "apse1"), /^[A-Za-z0-9_-]+$/);
        });
    });
});

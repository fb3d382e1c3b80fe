import * as assert from "node:assert/strict";
import { RATE_LIMIT_BODY } from "../../../components/edge/cloudflareApi";
import { Edge, type EdgeArgs, edgeProblems } from "../../../components/edge/edge";
import { cacheExpressions, rateLimitExpression } from "../../../components/edge/rules";
import { EDGE_DEFAULTS } from "../../../config/edge";
import { hexOf } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { CLOUDFLARE_REGIONS } from "../../../regions/catalog";
import { poolName } from "../../../regions/naming";
import { steeringPlan } from "../../../regions/steering";
import { testEdgeCell } from "../../support/cells";
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
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "fedcba9876543210fedcba9876543210";

/** The mock id of a Cloudflare resource (plan/mocks: 32 hex from type and name). */
const idOf = (type: string, name: string) => hexOf(`${type}|${name}|`, 32);
const poolId = (code: string) => idOf(T.pool, `edge-pool-${code}`);

const cell = (region: string, primary = false) => testEdgeCell(region, { primary });
type TestEdgeCell = ReturnType<typeof cell>;

/** The args of an edge over `cells`, steered as the fleet steers them (the first cell primary when none is). */
function args(cells: TestEdgeCell[], overrides: Partial<EdgeArgs> = {}): EdgeArgs {
    const steered = cells.some((c) => c.primary) ? cells : cells.map((c, i) => ({ ...c, primary: i === 0 }));
    return {
        ...EDGE_DEFAULTS,
        steering: steeringPlan(steered.length ? steered : [cell("us-east-1", true)]),
        domain: "api.example.com",
        accountId: ACCOUNT,
        zoneId: ZONE,
        healthPath: "/healthz",
        cells,
        alertEmail: "oncall@example.com",
        originAuthToken: ORIGIN_TOKEN,
        ...overrides,
    };
}

const ORIGIN_TOKEN = "origin-token-for-tests";

const PROD = () => [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")];

function evalEdge(a: EdgeArgs): Promise<Evaluation> {
    return evaluateOf(Edge, "edge", a);
}

describe("Edge", () => {
    let ev: Evaluation;
    before(async () => {
        // Tiered Cache is opt-in (off by default); turned on here to cover it.
        ev = await evalEdge(args(PROD(), { tieredCache: true }));
    });

    it("declares one monitor, a pool per cell, one load balancer, three rulesets, tiered cache and the health alert", () => {
        const count = (type: string) => ofType(ev, type).length;
        assert.deepEqual(Object.fromEntries(Object.entries(T).map(([k, t]) => [k, count(t)])), {
            monitor: 1,
            pool: 3,
            lb: 1,
            ruleset: 3,
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

    it("steers every Cloudflare region to every pool, nearest first, with the primary as default and fallback", () => {
        const lb = one(ev, T.lb, "edge-lb").inputs;
        const regionPools = lb.regionPools as Record<string, string[]>;
        assert.deepEqual(Object.keys(regionPools).sort(), [...CLOUDFLARE_REGIONS].sort());
        const [use1, euc1, apse1] = [poolId("use1"), poolId("euc1"), poolId("apse1")];
        assert.deepEqual(regionPools.ENAM, [use1, euc1, apse1]);
        assert.deepEqual(regionPools.WEU, [euc1, use1, apse1]);
        assert.deepEqual(regionPools.SEAS, [apse1, euc1, use1]);
        assert.deepEqual(regionPools.OC, [apse1, use1, euc1]);
        for (const [r, list] of Object.entries(regionPools)) assert.deepEqual([...list].sort(), [use1, euc1, apse1].sort(), r);
        assert.deepEqual(lb.defaultPools, [use1, euc1, apse1]);
        assert.equal(lb.fallbackPool, use1);
    });

    it("is a proxied geo load balancer on the domain with secure cookie affinity and failover across pools", () => {
        const lb = one(ev, T.lb, "edge-lb").inputs;
        assert.equal(lb.zoneId, ZONE);
        assert.equal(lb.name, "api.example.com");
        assert.equal(lb.enabled, true);
        assert.equal(lb.proxied, true);
        assert.equal(lb.steeringPolicy, "geo");
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

    it("caches static assets long, public API reads briefly, and bypasses anything with user data, last", () => {
        const rs = one(ev, T.ruleset, "edge-cache-rules").inputs;
        assert.equal(rs.zoneId, ZONE);
        assert.equal(rs.kind, "zone");
        assert.equal(rs.phase, "http_request_cache_settings");
        const rules = rs.rules as { ref: string; action: string; expression: string; enabled: boolean; actionParameters: unknown }[];
        assert.deepEqual(
            rules.map((r) => r.ref),
            ["static_assets", "api_cacheable", "bypass_user_data"],
        );
        assert.ok(rules.every((r) => r.action === "set_cache_settings" && r.enabled === true));
        assert.deepEqual(rules[0].actionParameters, {
            cache: true,
            edgeTtl: { mode: "override_origin", default: 2592000 },
            browserTtl: { mode: "respect_origin" },
        });
        assert.deepEqual(rules[1].actionParameters, {
            cache: true,
            edgeTtl: { mode: "override_origin", default: 30 },
            browserTtl: { mode: "respect_origin" },
        });
        assert.deepEqual(rules[2].actionParameters, { cache: false });
        const expr = cacheExpressions("api.example.com", EDGE_DEFAULTS);
        assert.deepEqual(
            rules.map((r) => r.expression),
            [expr.static, expr.api, expr.bypass],
        );
    });

    it("writes the cache expressions exactly, scoped to the load balancer's host", () => {
        const expr = cacheExpressions("api.example.com", {
            staticPathPrefix: "/static/",
            staticExtensions: ["css", "js"],
            cacheableApiRoutes: ["/v1/catalog", "/v1/config"],
            sessionCookie: "session",
        });
        assert.equal(
            expr.static,
            '(http.host eq "api.example.com" and http.request.method in {"GET" "HEAD"} and (starts_with(http.request.uri.path, "/static/") or http.request.uri.path.extension in {"css" "js"}))',
        );
        assert.equal(
            expr.api,
            '(http.host eq "api.example.com" and http.request.method in {"GET" "HEAD"} and (http.request.uri.path eq "/v1/catalog" or starts_with(http.request.uri.path, "/v1/catalog/") or http.request.uri.path eq "/v1/config" or starts_with(http.request.uri.path, "/v1/config/")))',
        );
        assert.equal(
            expr.bypass,
            '(http.host eq "api.example.com" and (not (http.request.method in {"GET" "HEAD"}) or any(lower(http.request.headers.names[*])[*] eq "authorization") or http.cookie contains "session="))',
        );
        assert.equal(cacheExpressions("api.example.com", { ...EDGE_DEFAULTS, cacheableApiRoutes: [] }).api, undefined);
    });

    it("rate limits the API per data centre and client IP, with the counting expression declared", () => {
        const rs = one(ev, T.ruleset, "edge-rate-limit").inputs;
        assert.equal(rs.kind, "zone");
        assert.equal(rs.phase, "http_ratelimit");
        const expression = '(http.host eq "api.example.com" and starts_with(http.request.uri.path, "/v1/"))';
        assert.equal(rateLimitExpression("api.example.com", "/v1/"), expression);
        assert.deepEqual(rs.rules, [
            {
                ref: "api_rate_limit",
                description: "At most 600 API requests per 60s per client IP (per data centre), then block for 60s",
                enabled: true,
                expression,
                action: "block",
                actionParameters: { response: { statusCode: 429, contentType: "application/json", content: RATE_LIMIT_BODY } },
                ratelimit: {
                    characteristics: ["cf.colo.id", "ip.src"],
                    period: 60,
                    requestsPerPeriod: 600,
                    mitigationTimeout: 60,
                    countingExpression: expression,
                    requestsToOrigin: false,
                },
            },
        ]);
        assert.deepEqual(JSON.parse(RATE_LIMIT_BODY), { error: "rate_limited", message: "Too many requests; retry later." });
    });

    it("adds the secret origin-auth header to every request for the domain (request header transform rule)", () => {
        const rs = one(ev, "cloudflare:index/ruleset:Ruleset", "edge-origin-auth").inputs;
        assert.deepEqual([rs.zoneId, rs.kind, rs.phase], [ZONE, "zone", "http_request_late_transform"]);
        assert.deepEqual(rs.rules, [
            {
                ref: "origin_auth_header",
                description: "Set x-origin-auth on every request to api.example.com",
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
                    alertWebhookId: "abcdefabcdefabcdefabcdefabcdef12",
                    tieredCache: false,
                    cacheableApiRoutes: [],
                    rateLimit: { requestsPerPeriod: 100, period: 10, mitigationTimeout: 0, action: "managed_challenge" },
                }),
            );
        });

        it("sends alerts to a webhook instead of an email", () => {
            assert.deepEqual(one(bare, T.alert, "edge-pool-health-alert").inputs.mechanisms, {
                webhooks: [{ id: "abcdefabcdefabcdefabcdefabcdef12" }],
            });
        });

        it("declares no tiered cache when turned off, and no API cache rule without cacheable routes", () => {
            assert.equal(ofType(bare, T.argo).length + ofType(bare, T.smart).length, 0);
            const rules = one(bare, T.ruleset, "edge-cache-rules").inputs.rules as { ref: string }[];
            assert.deepEqual(
                rules.map((r) => r.ref),
                ["static_assets", "bypass_user_data"],
            );
        });

        it("uses a managed challenge without a block response", () => {
            const [rule] = one(bare, T.ruleset, "edge-rate-limit").inputs.rules as Record<string, unknown>[];
            assert.equal(rule.action, "managed_challenge");
            assert.equal(rule.actionParameters, undefined);
            assert.deepEqual(rule.ratelimit, {
                characteristics: ["cf.colo.id", "ip.src"],
                period: 10,
                requestsPerPeriod: 100,
                mitigationTimeout: 0,
                countingExpression: '(http.host eq "api.example.com" and starts_with(http.request.uri.path, "/v1/"))',
                requestsToOrigin: false,
            });
        });

        it("declares no notification policy without a target", async () => {
            const none = await evalEdge(args(PROD(), { alertEmail: undefined }));
            assert.equal(ofType(none, T.alert).length, 0);
        });
    });

    describe("adding a cell", () => {
        let four: Evaluation;
        before(async () => {
            four = await evalEdge(args([...PROD(), cell("us-west-2")], { tieredCache: true }));
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
            assert.deepEqual(keys(one(ev, T.lb, "edge-lb"), one(four, T.lb, "edge-lb")), ["defaultPools", "regionPools"]);
            assert.deepEqual(keys(one(ev, T.alert, "edge-pool-health-alert"), one(four, T.alert, "edge-pool-health-alert")), ["filters"]);
            const lb = one(four, T.lb, "edge-lb").inputs;
            assert.equal((lb.regionPools as Record<string, string[]>).WNAM[0], poolId("usw2"));
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
            assert.equal(poolName("api.staging.example.com", "euc1"), "api-staging-example-com-euc1");
            assert.match(poolName("api.example.com", "apse1"), /^[A-Za-z0-9_-]+$/);
        });
    });
});

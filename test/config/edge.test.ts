import * as assert from "node:assert/strict";
import { parseConfig } from "../../config/platform";
import { checkProblems, exampleRaw, stackProblems, withSections } from "../support/config";

const withEdge = (edge: unknown) => withSections(exampleRaw(), { edge });
/** The problems of `platform:edge` as "path: message" lines; [] when it is valid. */
const problems = (edge: unknown) => stackProblems(withEdge(edge));

describe("config: platform:edge", () => {
    it("defaults every setting when the section is absent (the production choice, pinned; no alert target)", () => {
        const edge = parseConfig(withEdge(undefined), "us-east-1").edge;
        assert.deepEqual(edge, {
            apiPath: "/v1/",
            cacheableApiRoutes: ["/v1/catalog", "/v1/config"],
            apiEdgeTtl: 30,
            staticPathPrefix: "/static/",
            staticExtensions: [
                "css",
                "js",
                "mjs",
                "map",
                "png",
                "jpg",
                "jpeg",
                "gif",
                "svg",
                "webp",
                "avif",
                "ico",
                "woff",
                "woff2",
                "ttf",
            ],
            staticEdgeTtl: 2592000,
            sessionCookie: "session",
            sessionAffinityTtl: 3600,
            tieredCache: false,
            rateLimit: { requestsPerPeriod: 600, period: 60, mitigationTimeout: 60, action: "block" },
        });
    });

    it("takes every setting from config", () => {
        const every = {
            apiPath: "/api/",
            cacheableApiRoutes: ["/api/products"],
            apiEdgeTtl: 10,
            staticPathPrefix: "/assets/",
            staticExtensions: ["css"],
            staticEdgeTtl: 86400,
            sessionCookie: "sid",
            sessionAffinityTtl: 1800,
            tieredCache: false,
            rateLimit: { requestsPerPeriod: 100, period: 10, mitigationTimeout: 0, action: "managed_challenge" },
            alertEmail: "oncall@example.com",
            alertWebhookId: "0123456789abcdef0123456789abcdef",
        };
        assert.deepEqual(parseConfig(withEdge(every), "us-east-1").edge, every);
    });

    it("accepts an empty list of cacheable API routes", () => {
        assert.deepEqual(parseConfig(withEdge({ cacheableApiRoutes: [] }), "us-east-1").edge.cacheableApiRoutes, []);
    });

    checkProblems(problems, {
        "rejects a section that is not an object": [
            ["yes", ['platform:edge: "yes" is not a map; expected a map of settings, or nothing (every key has a default)']],
        ],
        "rejects unknown keys, with the value given, naming the known ones": [
            [
                { apiTtl: 5 },
                [
                    "platform:edge.apiTtl: is not a known setting (given 5); known settings here: apiPath, cacheableApiRoutes, apiEdgeTtl, staticPathPrefix, staticExtensions, staticEdgeTtl, sessionCookie, sessionAffinityTtl, tieredCache, rateLimit, alertEmail, alertWebhookId",
                ],
            ],
            [
                { rateLimit: { limit: 5 } },
                [
                    "platform:edge.rateLimit.limit: is not a known setting (given 5); known settings here: requestsPerPeriod, period, mitigationTimeout, action",
                ],
            ],
        ],
        "rejects an API path that is not a prefix ending in /": [
            [{ apiPath: "/v1" }, ['platform:edge.apiPath: "/v1" is not a path prefix that starts and ends with "/", e.g. "/v1/"']],
        ],
        "rejects malformed, foreign and duplicate cacheable API routes": [
            [
                { cacheableApiRoutes: "/v1/catalog" },
                ['platform:edge.cacheableApiRoutes: "/v1/catalog" is not a list; expected a list of routes such as ["/v1/catalog"]'],
            ],
            [
                { cacheableApiRoutes: ["/v1/catalog/"] },
                ['platform:edge.cacheableApiRoutes[0]: "/v1/catalog/" is not a route such as "/v1/catalog" (absolute, no trailing "/")'],
            ],
            [
                { cacheableApiRoutes: ["/static/logo"] },
                [
                    'platform:edge.cacheableApiRoutes[0]: "/static/logo" is outside the API path "/v1/"; list API routes only (static assets have their own rule)',
                ],
            ],
            [
                { cacheableApiRoutes: ["/v1/catalog", "/v1/catalog"] },
                ['platform:edge.cacheableApiRoutes[1]: "/v1/catalog" is listed twice (also at [0]); remove one'],
            ],
        ],
        "keeps the API edge TTL short and the static one long": [
            [{ apiEdgeTtl: 0 }, ["platform:edge.apiEdgeTtl: 0 is out of range; expected an integer from 1 to 3600"]],
            [{ apiEdgeTtl: 7200 }, ["platform:edge.apiEdgeTtl: 7200 is out of range; expected an integer from 1 to 3600"]],
            [{ apiEdgeTtl: 2.5 }, ["platform:edge.apiEdgeTtl: 2.5 is not an integer; expected an integer from 1 to 3600"]],
            [{ staticEdgeTtl: 60 }, ["platform:edge.staticEdgeTtl: 60 is out of range; expected an integer from 3600 to 31536000"]],
        ],
        "rejects a static path that is not a prefix, and bad or missing extensions": [
            [
                { staticPathPrefix: "static" },
                ['platform:edge.staticPathPrefix: "static" is not a path prefix that starts and ends with "/", e.g. "/static/"'],
            ],
            [
                { staticExtensions: [".css", "JS"] },
                [
                    'platform:edge.staticExtensions[0]: ".css" is not a lower-case file extension without the dot, e.g. "css"',
                    'platform:edge.staticExtensions[1]: "JS" is not a lower-case file extension without the dot, e.g. "css"',
                ],
            ],
            [
                { staticExtensions: [] },
                ['platform:edge.staticExtensions: [] has no entries; expected a list of at least one file extension, e.g. ["css", "js"]'],
            ],
        ],
        "rejects a session cookie that is not a cookie name, or is the load balancer's own": [
            [
                { sessionCookie: "my session" },
                ['platform:edge.sessionCookie: "my session" is not a cookie name (letters, digits and !#$%&\'*+-.^_`|~)'],
            ],
            [
                { sessionCookie: "__cflb" },
                [
                    "platform:edge.sessionCookie: \"__cflb\" is the load balancer's own affinity cookie, present on every request; name the app's session cookie",
                ],
            ],
        ],
        "keeps the affinity TTL in Cloudflare's range for cookie affinity": [
            [
                { sessionAffinityTtl: 600 },
                ["platform:edge.sessionAffinityTtl: 600 is out of range; expected an integer from 1800 to 604800"],
            ],
            [
                { sessionAffinityTtl: 604801 },
                ["platform:edge.sessionAffinityTtl: 604801 is out of range; expected an integer from 1800 to 604800"],
            ],
        ],
        "rejects a tieredCache that is not a boolean": [
            [{ tieredCache: "on" }, ['platform:edge.tieredCache: "on" is not a boolean; expected true or false']],
        ],
    });

    it("accepts only the rate-limit periods and durations Cloudflare accepts", () => {
        assert.deepEqual(problems({ rateLimit: { period: 30 } }), [
            "platform:edge.rateLimit.period: 30 is not accepted by Cloudflare; use one of 10, 60, 120, 300, 600, 3600 (seconds)",
        ]);
        assert.deepEqual(problems({ rateLimit: { mitigationTimeout: 30 } }), [
            "platform:edge.rateLimit.mitigationTimeout: 30 is not accepted by Cloudflare; use one of 0, 10, 60, 120, 300, 600, 3600, 86400 (seconds)",
        ]);
        for (const period of [10, 60, 120, 300, 600, 3600]) assert.deepEqual(problems({ rateLimit: { period } }), [], `period ${period}`);
    });

    checkProblems(problems, {
        "rejects a non-positive request threshold and an unknown action": [
            [
                { rateLimit: { requestsPerPeriod: 0 } },
                ["platform:edge.rateLimit.requestsPerPeriod: 0 is out of range; expected an integer from 1 to 1000000"],
            ],
            [
                { rateLimit: { action: "challenge" } },
                ['platform:edge.rateLimit.action: "challenge" is not accepted by Cloudflare; use one of "block", "managed_challenge"'],
            ],
        ],
        "requires mitigationTimeout 0 with a managed challenge": [
            [
                { rateLimit: { action: "managed_challenge" } },
                [
                    'platform:edge.rateLimit.mitigationTimeout: 60 cannot be used with action "managed_challenge": outside Enterprise plans a challenge only throttles; set mitigationTimeout: 0 or use action "block"',
                ],
            ],
        ],
        "rejects a malformed alert email or webhook id": [
            [{ alertEmail: "oncall" }, ['platform:edge.alertEmail: "oncall" is not an email address such as oncall@example.com']],
            [
                { alertWebhookId: "hook-1" },
                ['platform:edge.alertWebhookId: "hook-1" is not 32 lower-case hex characters (a Cloudflare notification webhook\'s id)'],
            ],
        ],
    });

    it("reports every problem of the section at once", () => {
        assert.deepEqual(
            problems({ apiEdgeTtl: 0, rateLimit: { period: 7 }, alertEmail: "x" }).map((p) => p.split(":").slice(0, 2).join(":")),
            ["platform:edge.apiEdgeTtl", "platform:edge.rateLimit.period", "platform:edge.alertEmail"],
        );
    });

    describe("no knock-on errors", () => {
        checkProblems(problems, {
            "checks the routes against the API path only once both are valid": [
                [
                    { apiPath: "/api", cacheableApiRoutes: ["/v1/catalog"] },
                    ['platform:edge.apiPath: "/api" is not a path prefix that starts and ends with "/", e.g. "/v1/"'],
                ],
                [
                    { apiPath: "/api/", cacheableApiRoutes: ["/v1/catalog", 3] },
                    [
                        'platform:edge.cacheableApiRoutes[1]: 3 is not a string; expected a route such as "/v1/catalog" (absolute, no trailing "/")',
                    ],
                ],
            ],
            "does not check the routes against the default API path when apiPath is misspelt": [
                [
                    { apiPth: "/api/", cacheableApiRoutes: ["/api/products"] },
                    [
                        'platform:edge.apiPth: is not a known setting (given "/api/"); did you mean `apiPath`? known settings here: apiPath, cacheableApiRoutes, apiEdgeTtl, staticPathPrefix, staticExtensions, staticEdgeTtl, sessionCookie, sessionAffinityTtl, tieredCache, rateLimit, alertEmail, alertWebhookId',
                    ],
                ],
            ],
            "checks the challenge's timeout only once the action is valid": [
                [
                    { rateLimit: { action: "challenge", mitigationTimeout: 60 } },
                    ['platform:edge.rateLimit.action: "challenge" is not accepted by Cloudflare; use one of "block", "managed_challenge"'],
                ],
            ],
        });
    });
});

describe("config: platform:edge, a typo does not hide the other problems", () => {
    checkProblems(problems, {
        "an unknown key beside a cacheable route outside the API path": [
            [
                { alertEmial: "a@b.c", cacheableApiRoutes: ["/v2/catalog"] },
                [
                    'platform:edge.alertEmial: is not a known setting (given "a@b.c"); did you mean `alertEmail`? known settings here: apiPath, cacheableApiRoutes, apiEdgeTtl, staticPathPrefix, staticExtensions, staticEdgeTtl, sessionCookie, sessionAffinityTtl, tieredCache, rateLimit, alertEmail, alertWebhookId',
                    'platform:edge.cacheableApiRoutes[0]: "/v2/catalog" is outside the API path "/v1/"; list API routes only (static assets have their own rule)',
                ],
            ],
        ],
        "an unknown rate-limit key beside a challenge with a mitigation timeout": [
            [
                { rateLimit: { perod: 60, action: "managed_challenge", mitigationTimeout: 60 } },
                [
                    "platform:edge.rateLimit.perod: is not a known setting (given 60); did you mean `period`? known settings here: requestsPerPeriod, period, mitigationTimeout, action",
                    'platform:edge.rateLimit.mitigationTimeout: 60 cannot be used with action "managed_challenge": outside Enterprise plans a challenge only throttles; set mitigationTimeout: 0 or use action "block"',
                ],
            ],
        ],
    });
});

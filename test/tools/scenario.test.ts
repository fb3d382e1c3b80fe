import * as assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";
import { ScenarioError, drawThink, loadScenario, parseScenario, pickStep } from "../../tools/scenario";
import { scratchFolder } from "../support/scenarios";

const ROOT = projectRoot();
const scratch = scratchFolder("scenario-");

describe("scenario: what one user does", () => {
    it("reads the shipped extension scenario with its weights, think times and body", () => {
        const s = loadScenario(path.join(ROOT, "tools", "scenarios", "extension.yaml"));
        assert.equal(s.name, "extension");
        assert.deepEqual(
            s.steps.map((x) => [x.name, x.weight, x.method, x.path]),
            [
                ["sync settings", 50, "GET", "/v1/sync"],
                ["page lookup", 30, "GET", "/v1/lookup?url=https%3A%2F%2Fexample.com%2F"],
                ["usage event", 15, "POST", "/v1/events"],
                ["health", 5, "GET", "/healthz"],
            ],
        );
        assert.deepEqual(
            s.steps.map((x) => x.thinkMs),
            [
                { min: 2000, max: 7000 },
                { min: 500, max: 3000 },
                { min: 2000, max: 7000 },
                { min: 2000, max: 7000 },
            ],
        );
        assert.equal(s.steps[2].body, '{"type":"page_view","client":"extension"}');
        assert.deepEqual(s.steps[0].headers, { accept: "application/json" });
    });

    it("reads JSON as well, with defaults (GET, weight 1, no think time)", () => {
        const s = loadScenario(scratch.file("s.json", JSON.stringify({ requests: [{ path: "/a" }] })));
        assert.deepEqual(s, {
            name: "s",
            steps: [
                {
                    name: "GET /a",
                    weight: 1,
                    method: "GET",
                    path: "/a",
                    headers: {},
                    body: undefined,
                    thinkMs: { min: 0, max: 0 },
                    routeClass: "read",
                },
            ],
        });
    });

    it("rejects a file that is not YAML, in one line", () => {
        const f = scratch.file("broken.yaml", "requests: [ { path: /a\n  - : :\n");
        assert.throws(
            () => loadScenario(f),
            (e: Error) =>
                e instanceof ScenarioError &&
                /^scenario .*broken\.yaml is not valid YAML or JSON: /.test(e.message) &&
                !e.message.includes("\n"),
        );
    });

    it("names every bad field with its path", () => {
        const raw = {
            thinkMs: { min: 500, max: 100 },
            extra: 1,
            requests: [
                { method: "FETCH", path: "v1/x", weight: -2 },
                { path: "/ok", headers: { "bad name": "x", accept: ["a"] } },
                "GET /",
            ],
        };
        assert.throws(
            () => parseScenario(raw, "x.yaml"),
            (e: Error) => {
                assert.equal(
                    e.message,
                    "scenario x.yaml is invalid: x.yaml:extra: is not a known setting; known settings here: name, thinkMs, requests; " +
                        "x.yaml:thinkMs: min 500 is above max 100; write { min: <ms>, max: <ms> } with min ≤ max; " +
                        'x.yaml:requests[0].method: "FETCH" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; ' +
                        'x.yaml:requests[0].path: "v1/x" is not an absolute path such as /v1/sync?since=0 (no spaces); ' +
                        "x.yaml:requests[0].weight: -2 is not a positive number; a weight is a relative frequency such as 60; " +
                        "x.yaml:requests[1].headers.bad name: is not a valid header name; " +
                        'x.yaml:requests[1].headers.accept: ["a"] is not a string; ' +
                        'x.yaml:requests[2]: "GET /" is not a request; write { method: GET, path: /v1/... }',
                );
                return true;
            },
        );
    });

    it("requires a non-empty request list", () => {
        assert.throws(() => parseScenario({ name: "x" }, "x.yaml"), /x\.yaml:requests: \(missing\) is missing; list at least one request/);
        assert.throws(() => parseScenario({ requests: [] }, "x.yaml"), /x\.yaml:requests: \[\] is not a non-empty list/);
        assert.throws(() => parseScenario("GET /", "x.yaml"), /scenario x\.yaml: "GET \/" is not a map/);
    });

    it("picks requests by weight and draws think times from the range", () => {
        const s = parseScenario(
            {
                requests: [
                    { path: "/a", weight: 60 },
                    { path: "/b", weight: 30 },
                    { path: "/c", weight: 10 },
                ],
            },
            "w.yaml",
        );
        assert.deepEqual(
            [0, 0.59, 0.61, 0.89, 0.91, 0.999].map((r) => pickStep(s, () => r).path),
            ["/a", "/a", "/b", "/b", "/c", "/c"],
        );
        assert.equal(
            drawThink({ min: 1000, max: 3000 }, () => 0),
            1000,
        );
        assert.equal(
            drawThink({ min: 1000, max: 3000 }, () => 0.5),
            2000,
        );
        assert.equal(
            drawThink({ min: 1000, max: 3000 }, () => 0.9999),
            3000,
        );
    });
});

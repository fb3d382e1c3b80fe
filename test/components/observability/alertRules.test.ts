import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as rules from "../../../components/observability/alertRules";
import { apiDashboard } from "../../../components/observability/dashboard";
import { ismPolicy } from "../../../components/observability/ism";
import { OBSERVABILITY_DEFAULTS } from "../../../config/observability";
import { projectRoot } from "../../../plan/stackConfig";

describe("alert rules and dashboard", () => {
    it("pins each threshold and duration", () => {
        assert.equal(rules.P99_LATENCY_SECONDS, 0.03);
        assert.equal(rules.P99_LATENCY_FOR, "5m");
        assert.equal(rules.ERROR_RATIO, 0.001);
        assert.equal(rules.NODE_CPU_RATIO, 0.7);
    });

    it("builds the dashboard's panels from the alert queries", () => {
        const dashboard = apiDashboard("api", "us-east-1");
        assert.deepEqual(
            dashboard.panels.map((p) => p.title),
            ["Latency p50 / p95 / p99", "Error rate (5xx ratio)", "Requests per second", "Pods running", "HPA replicas", "CPU (cores)"],
        );
        assert.deepEqual(
            dashboard.panels[0].targets.map((t) => t.expr),
            [0.5, 0.95, 0.99].map((q) => rules.latencyQuantile("api", q)),
        );
        assert.equal(dashboard.panels[1].targets[0].expr, rules.errorRatio("api"));
        assert.equal(dashboard.uid, "api-us-east-1");
    });

    it("deletes log indices after the retention (ISM)", () => {
        const p = ismPolicy(14).policy as {
            states: { name: string; transitions: { conditions: { min_index_age: string } }[]; actions: unknown[] }[];
            ism_template: { index_patterns: string[] }[];
        };
        assert.equal(p.states[0].transitions[0].conditions.min_index_age, "14d");
        assert.deepEqual(p.states[1].actions, [{ delete: {} }]);
        assert.deepEqual(p.ism_template[0].index_patterns, ["kube-*", "node-*"]);
    });

    it("documents exactly the ISM policy the code builds for the default retention", () => {
        const doc = readFileSync(path.join(projectRoot(), "docs", "observability.md"), "utf8");
        const block = /<!-- ism-policy:begin -->\n```json\n([\s\S]*?)\n```\n<!-- ism-policy:end -->/.exec(doc);
        assert.ok(block, "docs/observability.md has the ISM policy block");
        assert.deepEqual(JSON.parse(block[1]), ismPolicy(OBSERVABILITY_DEFAULTS.opensearch.indexRetentionDays));
    });
});

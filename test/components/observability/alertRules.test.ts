import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as rules from "../../../components/observability/alertRules";
import { type Panel, type Target, apiDashboard } from "../../../components/observability/dashboard";
import { ismPolicy } from "../../../components/observability/ism";
import { OBSERVABILITY_DEFAULTS } from "../../../config/observability";
import { projectRoot } from "../../../plan/stackConfig";

/** A panel's queries, each one a Prometheus query. */
const promql = (panel: Panel): Target[] =>
    panel.targets.map((t) => {
        assert.ok("expr" in t, `${panel.title}: a Prometheus query`);
        return t;
    });

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
            [
                "Latency p50 / p95 / p99",
                "Error rate (5xx ratio)",
                "Requests per second",
                "Pods running",
                "HPA replicas",
                "CPU (cores)",
                "Error budget remaining (30 d)",
                "Availability budget burn rate (alerts at 14.4x/1h, 6x/6h, 1x/3d)",
                "Latency budget burn rate (alerts at 14.4x/1h, 6x/6h, 1x/3d)",
            ],
        );
        assert.deepEqual(
            promql(dashboard.panels[0]).map((t) => t.expr),
            [0.5, 0.95, 0.99].map((q) => rules.latencyQuantile("api", q)),
        );
        assert.equal(promql(dashboard.panels[1])[0].expr, rules.errorRatio("api"));
        assert.equal(dashboard.uid, "api-us-east-1");
    });

    it("shows the error budget and burn rates from the series the recording rules record and the alerts read", () => {
        const dashboard = apiDashboard("api", "us-east-1");
        const recorded = new Set(
            rules
                .sloRecordingRules("api")
                .flatMap((g) => g.rules)
                .map((r) => `${(r as rules.RecordingRule).record}{slo="${(r as rules.RecordingRule).labels.slo}"}`),
        );
        const [budget, availability, latency] = dashboard.panels.slice(6);
        assert.deepEqual(
            promql(budget).map((t) => [t.expr, t.legendFormat]),
            [
                ['1 - api_slo:bad_ratio:increase30d{slo="availability"} / 0.0001', "availability (99.99 %)"],
                ['1 - api_slo:bad_ratio:increase30d{slo="latency"} / 0.01', "latency (99 % within 30 ms)"],
            ],
        );
        assert.deepEqual(
            promql(availability).map((t) => t.expr),
            ["1h", "6h", "3d"].map((w) => `api_slo:bad_ratio:increase${w}{slo="availability"} / 0.0001`),
        );
        assert.deepEqual(
            promql(latency).map((t) => t.expr),
            ["1h", "6h", "3d"].map((w) => `api_slo:bad_ratio:increase${w}{slo="latency"} / 0.01`),
        );
        // A burn of 1 spends the budget in exactly 30 days: the panels' red line.
        assert.equal((availability.fieldConfig.defaults.thresholds as { steps: { value: number | null }[] }).steps[1].value, 1);
        for (const target of dashboard.panels.slice(6).flatMap(promql)) {
            const series = target.expr.match(/api_slo:[a-z_]+:increase\w+\{slo="\w+"\}/g) ?? [];
            assert.equal(series.length, 1, target.expr);
            assert.ok(recorded.has(series[0]), `${series[0]} is recorded`);
        }
        // The burn-rate alerts read the same series.
        const alertSeries = rules
            .apiAlertRules("api", "us-east-1")
            .flatMap((g) => g.rules)
            .flatMap((r) => r.expr.match(/api_slo:bad_ratio:increase\w+\{slo="\w+"\}/g) ?? []);
        for (const target of [...promql(availability), ...promql(latency)])
            assert.ok(alertSeries.includes(target.expr.split(" / ")[0]), target.expr);
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

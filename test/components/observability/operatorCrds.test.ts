import * as assert from "node:assert/strict";
import { KUBE_PROMETHEUS_STACK_CHART } from "../../../components/observability/monitoring";
import { OPERATOR_VERSIONS, PROMETHEUS_OPERATOR_CRDS_CHART, operatorCrdProblems } from "../../../components/observability/operatorCrds";

describe("operatorCrdProblems", () => {
    const stack = (version: string) => ({ ...KUBE_PROMETHEUS_STACK_CHART, version });
    const crds = (version: string) => ({ ...PROMETHEUS_OPERATOR_CRDS_CHART, version });
    const known = {
        "kube-prometheus-stack": { "88.5.3": "v0.93.1", "89.0.0": "v0.94.0", "88.0.0": "v0.93.0" },
        "prometheus-operator-crds": { "31.0.0": "v0.93.0", "31.0.1": "v0.93.1" },
    };

    it("accepts the pinned pair: both run prometheus-operator v0.93.1", () => {
        assert.deepEqual(operatorCrdProblems(KUBE_PROMETHEUS_STACK_CHART, PROMETHEUS_OPERATOR_CRDS_CHART), []);
        assert.equal(OPERATOR_VERSIONS["kube-prometheus-stack"][KUBE_PROMETHEUS_STACK_CHART.version], "v0.93.1");
        assert.equal(OPERATOR_VERSIONS["prometheus-operator-crds"][PROMETHEUS_OPERATOR_CRDS_CHART.version], "v0.93.1");
    });

    it("refuses a kube-prometheus-stack bump whose operator version nobody has read", () => {
        assert.deepEqual(operatorCrdProblems(stack("90.0.0"), crds("31.0.1"), known), [
            "kube-prometheus-stack 90.0.0: its prometheus-operator version is unknown; read appVersion from that version's Chart.yaml (prometheus-community/helm-charts) and add it to OPERATOR_VERSIONS in components/observability/operatorCrds.ts",
        ]);
    });

    it("refuses a kube-prometheus-stack bump without the matching CRD chart bump, naming the CRD version when it is known", () => {
        assert.deepEqual(operatorCrdProblems(stack("88.0.0"), crds("31.0.1"), known), [
            "kube-prometheus-stack 88.0.0 runs prometheus-operator v0.93.0, but prometheus-operator-crds 31.0.1 installs the CRDs of v0.93.1: pin prometheus-operator-crds 31.0.0 with it",
        ]);
        assert.deepEqual(operatorCrdProblems(stack("89.0.0"), crds("31.0.1"), known), [
            "kube-prometheus-stack 89.0.0 runs prometheus-operator v0.94.0, but prometheus-operator-crds 31.0.1 installs the CRDs of v0.93.1: bump prometheus-operator-crds to the version whose appVersion is v0.94.0 and add its row to OPERATOR_VERSIONS",
        ]);
    });

    it("refuses a CRD chart version nobody has read, and reports both unknown pins at once", () => {
        assert.equal(operatorCrdProblems(stack("88.5.3"), crds("32.0.0"), known).length, 1);
        assert.match(
            operatorCrdProblems(stack("88.5.3"), crds("32.0.0"), known)[0],
            /^prometheus-operator-crds 32\.0\.0: its prometheus-operator version is unknown/,
        );
        assert.equal(operatorCrdProblems(stack("90.0.0"), crds("32.0.0"), known).length, 2);
    });
});

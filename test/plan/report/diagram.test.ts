import * as assert from "node:assert/strict";
import * as path from "node:path";
import { mermaid } from "../../../plan/report/diagram";
import { projectRoot, readConfigFile } from "../../../plan/stackConfig";
import { planOf } from "../../support/harness";

describe("the topology diagram", () => {
    it("marks a drained cell: dashed, no steering, still replicated to", async () => {
        const run = await planOf(
            readConfigFile(path.join(projectRoot(), "test", "fixtures", "decommission-apse1.yaml"), "platform", "prod"),
        );
        const text = mermaid(run.plan, run);
        assert.match(text, /\n {2}subgraph apse1\["ap-southeast-1 · apse1 · DRAINED \(decommissioning\)"\]\n/);
        assert.match(text, /\n {2}lb -\. "drained: no traffic" \.-> apse1_alb\n {2}style apse1 stroke-dasharray: 5 5\n/);
        assert.doesNotMatch(text, /first for [A-Z ]+" --> apse1_alb/);
        assert.match(text, /\n {2}use1_db ==> apse1_db\n/);
        // Writes fail over over the serving cells only.
        assert.match(text, /writes: use1 → euc1<br\/>/);
    });
});

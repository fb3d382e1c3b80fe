import * as assert from "node:assert/strict";
import { type PlanRun } from "../../../plan/plan";
import { formatSteering } from "../../../plan/report/steeringTable";
import { CLOUDFLARE_REGIONS } from "../../../regions/catalog";
import { steeringPlan } from "../../../regions/steering";
import { cell } from "../../support/cells";
import { planOf, prodStack } from "../../support/harness";

describe("steering in the plan", () => {
    it("formats one row per Cloudflare region, then the write and default pools and the fallback", () => {
        const text = formatSteering(steeringPlan([cell("us-east-1", true), cell("eu-central-1")]));
        assert.equal(
            text,
            [
                "Traffic steering (proximity; each row is also the failover order)",
                "Cloudflare region  1st           2nd",
                "WNAM               us-east-1     eu-central-1",
                "ENAM               us-east-1     eu-central-1",
                "WEU                eu-central-1  us-east-1",
                "EEU                eu-central-1  us-east-1",
                "NSAM               us-east-1     eu-central-1",
                "SSAM               us-east-1     eu-central-1",
                "OC                 us-east-1     eu-central-1",
                "ME                 eu-central-1  us-east-1",
                "NAF                eu-central-1  us-east-1",
                "SAF                eu-central-1  us-east-1",
                "SAS                eu-central-1  us-east-1",
                "SEAS               eu-central-1  us-east-1",
                "NEAS               eu-central-1  us-east-1",
                "Writes, default    us-east-1     eu-central-1",
                "Fallback pool      us-east-1",
            ].join("\n"),
        );
    });

    it("formats a single region", () => {
        const lines = formatSteering(steeringPlan([cell("eu-west-1", true)])).split("\n");
        assert.equal(lines[1], "Cloudflare region  1st");
        assert.equal(lines.length, 2 + 13 + 2);
        assert.equal(lines.at(-1), "Fallback pool      eu-west-1");
    });

    describe("of the prod stack", () => {
        let run: PlanRun;
        before(async () => {
            run = await planOf(prodStack());
        });

        it("writes steering with all 13 Cloudflare regions to the plan JSON", () => {
            const json = JSON.parse(JSON.stringify(run.plan)) as {
                steering: { policy: string; regions: Record<string, string[]>; defaultPools: string[]; fallbackPool: string };
            };
            assert.equal(json.steering.policy, "proximity");
            assert.deepEqual(Object.keys(json.steering.regions), [...CLOUDFLARE_REGIONS]);
            for (const r of CLOUDFLARE_REGIONS) assert.equal(json.steering.regions[r].length, 3, r);
            assert.deepEqual(json.steering.regions.WEU, ["eu-central-1", "us-east-1", "ap-southeast-1"]);
            assert.deepEqual(json.steering.defaultPools, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
            assert.equal(json.steering.fallbackPool, "us-east-1");
        });

        it("is the fleet's one steering plan, the object the Edge declares its load balancer from", () => {
            assert.equal(run.plan.steering, run.fleet.steering);
        });
    });
});

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { namespaceValues } from "../../config/platform";
import { projectRoot, readConfigFile, readStack } from "../../plan/stackConfig";
import { type Stack, parseStack } from "../../stack/parse";
import { failoverImpact, findCell, formatImpact, loadVsMaximum } from "../../tools/failover";
import { ACCOUNT } from "../support/cfstandin";

const ROOT = projectRoot();
const stackOf = ({ config }: { config: Record<string, string> }): Stack => parseStack(namespaceValues(config), config["aws:region"]);
const prod = stackOf(readStack(ROOT, "prod"));
const cellOf = (name: string) => findCell(prod, name)!;

describe("failover: what a region failure should do", () => {
    it("finds a cell by AWS region or by code, and nothing else", () => {
        assert.deepEqual(
            ["us-east-1", "euc1", "us-west-2", "USE1"].map((name) => findCell(prod, name)?.code),
            ["use1", "euc1", undefined, undefined],
        );
    });

    it("moves us-east-1's Cloudflare regions to their next cell, eu-central-1, with their users", () => {
        const impact = failoverImpact(prod, cellOf("us-east-1"));
        assert.deepEqual(impact.reroutes, [
            { cloudflareRegion: "WNAM", share: 0.15, users: 3750, to: "eu-central-1" },
            { cloudflareRegion: "ENAM", share: 0.3, users: 7500, to: "eu-central-1" },
            { cloudflareRegion: "NSAM", share: 0, users: 0, to: "eu-central-1" },
            { cloudflareRegion: "SSAM", share: 0, users: 0, to: "eu-central-1" },
        ]);
        assert.deepEqual(impact.failed, { region: "us-east-1", code: "use1", normalUsers: 11250, takenUsers: 0, users: 0 });
        assert.deepEqual(impact.cells, [
            { region: "eu-central-1", code: "euc1", normalUsers: 7500, takenUsers: 11250, users: 18750 },
            { region: "ap-southeast-1", code: "apse1", normalUsers: 6250, takenUsers: 0, users: 6250 },
        ]);
        assert.equal(impact.unservedUsers, 0);
    });

    it("splits ap-southeast-1's users by each Cloudflare region's own next cell", () => {
        const impact = failoverImpact(prod, cellOf("apse1"));
        assert.deepEqual(
            impact.reroutes.map((r) => [r.cloudflareRegion, r.users, r.to]),
            [
                ["OC", 1250, "us-east-1"],
                ["SAS", 0, "eu-central-1"],
                ["SEAS", 2500, "eu-central-1"],
                ["NEAS", 2500, "eu-central-1"],
            ],
        );
        assert.deepEqual(
            impact.cells.map((c) => [c.region, c.normalUsers, c.takenUsers, c.users]),
            [
                ["us-east-1", 11250, 1250, 12500],
                ["eu-central-1", 7500, 5000, 12500],
            ],
        );
    });

    it("leaves users with nowhere to go in a one-cell stack", () => {
        const one = parseStack(
            {
                domain: "api.example.com",
                cloudflare: { accountId: ACCOUNT, zoneId: ACCOUNT },
                regions: [{ name: "us-east-1", primary: true }],
                capacity: { targetConcurrentUsers: 1000, usersPerPod: 100, regionFailuresTolerated: 0 },
                traffic: { ENAM: 0.6, WEU: 0.4 },
                app: { image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"a".repeat(64)}` },
            },
            "us-east-1",
        );
        const impact = failoverImpact(one, one.fleet.cells[0]);
        assert.equal(impact.unservedUsers, 1000);
        assert.deepEqual(impact.cells, []);
        assert.match(formatImpact("solo", impact, []), /1000 users have no cell left: add a region or expect an outage/);
    });

    it("routes as the capacity model does, and leaves a drained (decommissioning) cell out", () => {
        const drained = stackOf(readConfigFile(path.join(ROOT, "test", "fixtures", "decommission-apse1.yaml"), "platform", "prod"));
        const impact = failoverImpact(drained, findCell(drained, "us-east-1")!);
        // ap-southeast-1 is drained: its SEAS, NEAS and OC users already go to eu-central-1 and
        // us-east-1, and after us-east-1 fails every user is in eu-central-1.
        assert.deepEqual(
            impact.cells.map((c) => [c.region, c.users]),
            [["eu-central-1", 25000]],
        );
        assert.equal(impact.unservedUsers, 0);
    });

    it("compares load with a maximum per cell when one is given, n/a otherwise", () => {
        const impact = failoverImpact(prod, cellOf("us-east-1"));
        assert.deepEqual(
            loadVsMaximum(impact.cells, { "eu-central-1": 15000 }).map((c) => [c.region, c.maxUsers, c.utilisation, c.overloaded]),
            [
                ["eu-central-1", 15000, 1.25, true],
                ["ap-southeast-1", null, null, null],
            ],
        );
        const text = formatImpact("prod", impact, loadVsMaximum(impact.cells));
        assert.equal(
            text,
            [
                "If us-east-1 (use1) fails in stack prod, its 11250 users move:",
                "  WNAM     15%    3750 users → eu-central-1",
                "  ENAM     30%    7500 users → eu-central-1",
                "  NSAM      0%       0 users → eu-central-1",
                "  SSAM      0%       0 users → eu-central-1",
                "Surviving cells:",
                "  eu-central-1      18750 users (7500 own + 11250 taken), maximum n/a (no capacity figure given)",
                "  ap-southeast-1     6250 users (6250 own + 0 taken), maximum n/a (no capacity figure given)",
            ].join("\n"),
        );
        assert.match(
            formatImpact("prod", impact, loadVsMaximum(impact.cells, { "eu-central-1": 15000, "ap-southeast-1": 10000 })),
            /maximum 15000 \(125%, OVERLOADED\)\n.*maximum 10000 \(62\.5%\)$/,
        );
    });
});

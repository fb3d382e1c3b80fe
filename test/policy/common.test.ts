// The pack's shared helpers: configs read with their defaults, regional vs global AWS types
// (the test harness uses the same rule), the cell enclosing a resource.
import * as assert from "node:assert/strict";
import { toPolicyResources } from "../../plan/policyRunner";
import { enclosingCell, isRegionalAwsType, settings } from "../../policy/common";
import { cell, fixture } from "../support/policy";

describe("policy pack: common helpers", () => {
    it("settings: the given config over the schema defaults; null and undefined keep the default", () => {
        const read = (given: object) => settings({ getConfig: <C extends object>() => given as C }, { minimum: 3, names: ["a"] });
        assert.deepEqual(read({}), { minimum: 3, names: ["a"] });
        assert.deepEqual(read({ minimum: 0, names: null }), { minimum: 0, names: ["a"] });
    });

    it("isRegionalAwsType: every AWS module is regional except the global services; Route 53 only for Resolver and Profiles", () => {
        const regional = [
            "aws:ec2/vpc:Vpc",
            "aws:kms/key:Key",
            "aws:route53/resolverEndpoint:ResolverEndpoint",
            "aws:route53/profilesProfile:ProfilesProfile",
        ];
        const global = [
            "aws:iam/role:Role",
            "aws:cloudfront/distribution:Distribution",
            "aws:route53/record:Record",
            "aws:budgets/budget:Budget",
            "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
            "aws:arcregionswitch/plan:Plan",
            "cloudflare:index/record:Record",
            "platform:cell:RegionalCell",
        ];
        assert.deepEqual(
            [...regional, ...global].filter((type) => isRegionalAwsType(type)),
            regional,
        );
    });

    it("enclosingCell: the nearest RegionalCell ancestor, the cell itself, or none outside any cell", () => {
        const use1 = cell("use1");
        const network = fixture("platform:cell:Network", "use1-net", {}, { parent: use1, custom: false });
        const vpc = fixture("aws:ec2/vpc:Vpc", "use1-net-vpc", {}, { parent: network });
        const outside = fixture("aws:rds/globalCluster:GlobalCluster", "global", {});
        const byName = new Map(toPolicyResources([use1, network, vpc, outside]).map((resource) => [resource.name, resource]));
        assert.equal(enclosingCell(byName.get("use1-net-vpc")!)?.name, "use1");
        assert.equal(enclosingCell(byName.get("use1")!)?.name, "use1");
        assert.equal(enclosingCell(byName.get("global")!), undefined);
    });
});

/**
 * AZs by ID across the prod plan (regions/catalog.ts `zoneIds`): an AZ name is a different
 * physical zone in each account, so nothing is placed by a name written in the program; the
 * few inputs that take only a name get the account's name of the catalog's ID.
 */
import * as assert from "node:assert/strict";
import { ZONE_ID_LABEL } from "../../components/compute/karpenter";
import { mockZoneName } from "../../plan/mocks";
import { type PlanResource, type PlanRun } from "../../plan/plan";
import { UNSUPPORTED_ZONE_IDS, requireRegion } from "../../regions/catalog";
import { planOf, prodStack } from "../support/harness";

const SUBNET = "aws:ec2/subnet:Subnet";
const CELLS = [
    ["use1", "us-east-1"],
    ["euc1", "eu-central-1"],
    ["apse1", "ap-southeast-1"],
] as const;

/** An AZ name (`us-east-1a`, `ap-southeast-1c`), as opposed to an AZ ID (`use1-az1`). */
const AZ_NAME = /^[a-z]{2}-[a-z]+-\d[a-z]$/;

/** Every string inside `value`, with its path. */
function strings(value: unknown, path: string): [string, string][] {
    if (typeof value === "string") return [[path, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
    if (value !== null && typeof value === "object")
        return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
    return [];
}

describe("AZs by zone ID in the prod plan", () => {
    let run: PlanRun;
    let subnetById: Map<string, PlanResource>;
    before(async () => {
        run = await planOf(prodStack());
        subnetById = new Map(run.plan.resources.filter((r) => r.type === SUBNET).map((r) => [r.id!, r]));
    });
    const ofType = (type: string, prefix: string) => run.plan.resources.filter((r) => r.type === type && r.name.startsWith(prefix));

    for (const [code, region] of CELLS) {
        const { zoneIds } = requireRegion(region);

        it(`${code}: every subnet is placed by AZ ID, the catalog's in order (a, b, c), never by name`, () => {
            const subnets = ofType(SUBNET, `${code}-net-`);
            assert.equal(subnets.length, 9);
            for (const s of subnets) {
                const letter = s.name.slice(-1);
                assert.equal(s.inputs.availabilityZoneId, zoneIds["abc".indexOf(letter)], s.name);
                assert.equal(s.inputs.availabilityZone, undefined, s.name);
            }
        });

        it(`${code}: RDS Proxy's endpoints use only subnets in AZs RDS Proxy supports`, () => {
            const proxies = [...ofType("aws:rds/proxy:Proxy", `${code}-`), ...ofType("aws:rds/proxyEndpoint:ProxyEndpoint", `${code}-`)];
            assert.equal(proxies.length, 2, code);
            for (const p of proxies) {
                const zones = (p.inputs.vpcSubnetIds as string[]).map((id) => String(subnetById.get(id)?.inputs.availabilityZoneId));
                assert.deepEqual(zones, [...zoneIds], p.name);
                assert.ok(!zones.includes("use1-az3"), `${p.name}: ${zones.join(",")}`);
                assert.deepEqual(
                    zones.filter((z) => z in UNSUPPORTED_ZONE_IDS),
                    [],
                    p.name,
                );
            }
        });

        it(`${code}: Karpenter's NodePool asks for the cell's AZ IDs (${ZONE_ID_LABEL}), not names`, () => {
            const [pool] = ofType("kubernetes:karpenter.sh/v1:NodePool", "").filter((r) => r.urn.includes(`${code}-`));
            assert.ok(pool, `${code}: no NodePool`);
            const requirements = (
                (pool.inputs.spec as Record<string, unknown>).template as { spec: { requirements: { key: string; values: string[] }[] } }
            ).spec.requirements;
            const zonal = requirements.filter((r) => r.key.startsWith("topology."));
            assert.deepEqual(zonal, [{ key: "topology.k8s.aws/zone-id", operator: "In", values: [...zoneIds] }]);
        });

        it(`${code}: the Aurora instances spread over three distinct AZs, the account's names of the catalog's IDs`, () => {
            const instances = ofType("aws:rds/clusterInstance:ClusterInstance", `${code}-data-db-`).sort((a, b) =>
                Number(a.name.split("-").pop()) < Number(b.name.split("-").pop()) ? -1 : 1,
            );
            assert.ok(instances.length >= 3, code);
            const azs = instances.map((i) => i.inputs.availabilityZone as string);
            assert.equal(new Set(azs).size, 3, azs.join(","));
            // Instance n in the catalog's AZ n mod 3, by the (mock) account's name of that ID.
            assert.deepEqual(
                azs,
                instances.map((_, i) => mockZoneName(region, zoneIds[i % 3])),
            );
        });

        it(`${code}: each FIS AZ impairment targets one of the cell's AZ IDs`, () => {
            const templates = ofType("aws:fis/experimentTemplate:ExperimentTemplate", `${code}-faults-az-`);
            assert.deepEqual(
                templates.map(
                    (t) => (t.inputs.targets as { parameters?: Record<string, string> }[])[0].parameters!.availabilityZoneIdentifier,
                ),
                [...zoneIds],
            );
        });
    }

    it("writes no AZ name anywhere but where the account's name is resolved (the Aurora instances)", () => {
        const found = run.plan.resources.flatMap((r) =>
            strings(r.inputs, "")
                .filter(([, v]) => AZ_NAME.test(v))
                .filter(([path]) => !(r.type === "aws:rds/clusterInstance:ClusterInstance" && path === "availabilityZone"))
                .map(([path, v]) => `${r.name} ${path}=${v}`),
        );
        assert.deepEqual(found, []);
    });
});

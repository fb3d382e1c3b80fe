import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { PLAN_EXIT, main } from "../../../plan/cli";
import { cell } from "../../support/cells";
import { prodCapacity, prodRaw, stackProblems, withSections } from "../../support/config";
import { fleetOf, knobs, traffic } from "../../support/fleet";

const prodWith = (sections: Record<string, unknown>) => withSections(prodRaw(), sections);

describe("capacity: a fleet that cannot carry the target", () => {
    it("names the cell, the failure and the shortfall when a cell needs more than maxNodesPerCell", () => {
        // 6 nodes hold 21 pods (1 working node per AZ × 7 × 3) = 16,800 users; use1 and euc1 need 18,750.
        assert.deepEqual(stackProblems(prodWith({ capacity: prodCapacity({ maxNodesPerCell: 6 }) })), [
            "platform:capacity.maxNodesPerCell: cell use1 (us-east-1) must carry 18,750 users when eu-central-1 is down, which needs 24 pods on 9 nodes; " +
                "at most 6 nodes hold 21 pods (16,800 users at 800 per pod, 7 pods per m7i.xlarge): short by 1,950 users. " +
                "Raise maxNodesPerCell to 9, raise usersPerPod, lower targetConcurrentUsers or add regions",
            "platform:capacity.maxNodesPerCell: cell euc1 (eu-central-1) must carry 18,750 users when us-east-1 is down, which needs 24 pods on 9 nodes; " +
                "at most 6 nodes hold 21 pods (16,800 users at 800 per pod, 7 pods per m7i.xlarge): short by 1,950 users. " +
                "Raise maxNodesPerCell to 9, raise usersPerPod, lower targetConcurrentUsers or add regions",
        ]);
    });

    it("names two failed regions in the message", () => {
        // Three cells, two down: the survivor carries 25,000 users = 32 pods > 21.
        const { problems } = fleetOf({
            cells: [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")],
            capacity: knobs({ targetConcurrentUsers: 25000, regionFailuresTolerated: 2, maxNodesPerCell: 6 }),
            traffic: traffic({ ENAM: 1 }),
        });
        // ENAM → use1, euc1, apse1: use1 carries everyone normally, euc1 once use1 is down, apse1 once both are.
        // 25,000 / 800 → 32 pods → 11 per AZ → 2 + 1 nodes per AZ → 9 nodes; 6 nodes hold 21 pods = 16,800 users.
        assert.deepEqual(
            problems.map(
                (p) =>
                    /^cell \S+ \(\S+\) must carry 25,000 users (.*), which needs 32 pods on 9 nodes; .* short by 8,200 users\./.exec(
                        p.message,
                    )?.[1],
            ),
            ["with every region up", "when us-east-1 is down", "when us-east-1 and eu-central-1 are down"],
        );
    });

    it("reports too many Aurora readers against the global database limits", () => {
        // 1,000 users per reader: use1 needs 19 > 15 − 2 secondaries = 13; euc1 needs 19 > 16 − 1 (its promotable instance is read-only too); apse1 7 fits.
        assert.deepEqual(stackProblems(prodWith({ capacity: prodCapacity({ usersPerReader: 1000 }) })), [
            "platform:capacity.usersPerReader: cell use1 (us-east-1) must carry 18,750 users when eu-central-1 is down, which needs 19 Aurora readers at 1,000 users per reader; " +
                "the primary cluster of a global database with 2 secondary region(s) holds at most 13: short by 6 readers (5,750 users). Raise usersPerReader (a larger reader class) or add regions",
            "platform:capacity.usersPerReader: cell euc1 (eu-central-1) must carry 18,750 users when us-east-1 is down, which needs 19 Aurora readers at 1,000 users per reader; " +
                "a secondary cluster of a global database (16 read-only instances, its promotable one included) holds at most 15: short by 4 readers (3,750 users). Raise usersPerReader (a larger reader class) or add regions",
        ]);
    });

    it("reports a cell whose nodes at their maximum would exhaust the private subnets' addresses", () => {
        // 35,000 users / 100 = 350 pods → 117 per AZ → ceil(117 / 7) = 17 + 1 spare = 18 nodes per AZ, 54 in all.
        // 18 × 60 addresses = 1,080 per AZ; a /20 VPC has /22 private subnets: 1,024 − 5 = 1,019 usable.
        const small = { ...cell("us-east-1", true), cidr: "10.100.0.0/20" };
        const input = (cidr: string) => ({
            cells: [{ ...small, cidr }],
            capacity: knobs({ targetConcurrentUsers: 35000, usersPerPod: 100 }),
            traffic: traffic({ ENAM: 1 }),
        });
        assert.deepEqual(fleetOf(input("10.100.0.0/20")).problems, [
            {
                key: "regions[0].cidr",
                message:
                    "cell use1 (us-east-1) grows to 54 nodes (18 per AZ) with every region up; each m7i.xlarge node may hold 60 VPC addresses (4 ENIs × 15), 1,080 per AZ, " +
                    "but the private subnets of 10.100.0.0/20 are /22 with 1,019 usable addresses: short by 61. Give the region a larger CIDR (a /16 has /18 subnets of 16,379 addresses), raise usersPerPod or add regions",
            },
        ]);
        assert.deepEqual(fleetOf(input("10.10.0.0/16")).problems, []);
        // 29,000 users → 290 pods → 97 per AZ → 14 + 1 = 15 nodes per AZ → 900 addresses: fits.
        assert.deepEqual(
            fleetOf({ ...input("10.100.0.0/20"), capacity: knobs({ targetConcurrentUsers: 29000, usersPerPod: 100 }) }).problems,
            [],
        );
    });

    it("refuses tolerated failures that leave no region: the config reports it, the model never sees it", () => {
        assert.deepEqual(stackProblems(prodWith({ capacity: prodCapacity({ regionFailuresTolerated: 3 }) })), [
            "platform:capacity.regionFailuresTolerated: 3 leaves no region to serve users: the stack lists 3 region(s); tolerate at most 2 or add regions",
        ]);
        assert.throws(
            () =>
                fleetOf({
                    cells: [cell("us-east-1", true)],
                    capacity: knobs({ regionFailuresTolerated: 1 }),
                    traffic: traffic({ ENAM: 1 }),
                }),
            /^Error: planFleet: 1 tolerated failures leave none of 1 serving cells$/,
        );
    });

    it("refuses traffic that places no user", () => {
        assert.deepEqual(stackProblems(prodWith({ traffic: {} })), [
            "platform:traffic: {} gives no Cloudflare region a share above 0, so no users can be placed in cells; give each region's expected share, e.g. { ENAM: 0.6, WEU: 0.4 }",
        ]);
    });

    it("refuses an instance type it does not know and a pod that fits no node", () => {
        assert.deepEqual(stackProblems(prodWith({ compute: { instanceTypes: ["t3.micro", "t3.small"] } })), [
            'platform:compute.instanceTypes[0]: "t3.micro" is not known to the capacity model; use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)',
            'platform:compute.instanceTypes[1]: "t3.small" is not known to the capacity model; use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)',
        ]);
        assert.deepEqual(stackProblems(prodWith({ compute: { podCpuMillicores: 4000 } })), [
            "platform:compute: an API pod requesting 4000m CPU and 512 MiB does not fit a m7i.xlarge node (3520m CPU, 13562 MiB, 50 pod slots left after the DaemonSets; short of cpu); use a larger instance type or smaller requests",
        ]);
    });

    it("makes the plan exit 2 before anything is declared", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "capacity-"));
        const file = path.join(dir, "Pulumi.tight.yaml");
        const config: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(prodRaw())) config[`platform:${k}`] = v;
        config["aws:region"] = "us-east-1";
        config["platform:capacity"] = prodCapacity({ maxNodesPerCell: 6 });
        writeFileSync(file, stringify({ config }));
        const errors: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => errors.push(chunk) > 0) as typeof process.stderr.write;
        try {
            assert.equal(await main(["--config", file, "--quiet"]), PLAN_EXIT.config);
        } finally {
            process.stderr.write = write;
            rmSync(dir, { recursive: true, force: true });
        }
        assert.match(
            errors.join(""),
            /^Invalid stack config \(2 problems\):\n- platform:capacity\.maxNodesPerCell: cell use1 \(us-east-1\) must carry 18,750 users when eu-central-1 is down/,
        );
    });
});

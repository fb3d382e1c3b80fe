import * as assert from "node:assert/strict";
import { clusterParameters } from "../../components/data/aurora";
import { formatRpo, recoveryPlan, rpoBounded } from "../../regions/recovery";
import { parseRaw, prodRaw } from "../support/config";

const failover = (bounded: boolean) => recoveryPlan(bounded).rows.find((r) => r.failure === "unplanned region failover")!;

describe("the region-loss RPO bound", () => {
    it("is on with two serving secondaries (prod) and off with one (a drained secondary, or staging), where every lag of the one would block commits", () => {
        assert.equal(rpoBounded(true, parseRaw(prodRaw()).fleet), true);
        const drained = parseRaw(
            prodRaw((r) => {
                r.regions[2].decommission = true;
            }),
        );
        assert.equal(rpoBounded(true, drained.fleet), false);
        // Off by config: the change that moves `primary` after an unplanned failover, while AWS rebuilds the secondaries.
        assert.equal(rpoBounded(false, parseRaw(prodRaw()).fleet), false);
    });

    it("sets rds.global_db_rpo on the primary only, and only while bounded", () => {
        const rpo = (primary: boolean, bounded: boolean) =>
            clusterParameters(primary, bounded).find((p) => p.name === "rds.global_db_rpo")?.value;
        assert.deepEqual([rpo(true, true), rpo(true, false), rpo(false, true)], ["30", undefined, undefined]);
    });

    it("prints the failover's RPO as the bound, or as unbounded with the reason", () => {
        assert.equal(formatRpo(failover(true)), "30 s");
        assert.equal(formatRpo(failover(false)), "unbounded");
        assert.match(
            failover(false).basis,
            /^not bounded: rds\.global_db_rpo is off \(platform:data\.rpoBound, or fewer than two serving secondaries/,
        );
    });
});

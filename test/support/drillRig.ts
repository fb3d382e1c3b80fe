/**
 * The drill's test rig, registered in a describe block: a Cloudflare stand-in holding three
 * pools (p1 is us-east-1's), and a target that plays the load balancer: served by us-east-1
 * while p1 is enabled, by eu-central-1 once it is out, after `SWITCH_MS` of switching during
 * which it answers 502 when `failSwitch` is set.
 */
import * as path from "node:path";
import { type DrillRuntime } from "../../tools/drill/execution";
import { type StandIn, TOKEN, startStandIn } from "./cfstandin";
import { type Target, startTarget } from "./loopback";
import { pacedYaml, scratchFolder } from "./scenarios";

/** Milliseconds the load balancer takes to notice the disabled pool. */
export const SWITCH_MS = 200;

export const ENV = { CLOUDFLARE_API_TOKEN: TOKEN };

/** Fast retries and polls, so that failing cases end quickly. */
export const FAST: Omit<DrillRuntime, "io"> = { apiRetries: 0, restoreAttempts: 3, restorePauseMs: 10, healthPollMs: 50 };

export interface DrillRig {
    readonly standIn: StandIn;
    readonly target: Target;
    /** The folder holding the scenario, for reports. */
    readonly dir: string;
    /** Whether the target answers 502 while switching; reset before each test. */
    failSwitch: boolean;
    /** The drill-writes endpoint's table (docs/qa.md, "Write ledger"): one id per row. */
    readonly rows: number[];
    /** Writes acknowledged while switching are not kept (a writer that loses them); reset before each test. */
    loseWhileSwitching: boolean;
    /** An executed drill of us-east-1 against the rig, 2 users, phases of a fraction of a second. */
    args(extra?: string[]): string[];
}

export function useDrillRig(): DrillRig {
    const scratch = scratchFolder("drill-");
    let standIn: StandIn | undefined;
    let target: Target | undefined;
    let switching = false;
    const rig: DrillRig = {
        get standIn() {
            return standIn!;
        },
        get target() {
            return target!;
        },
        get dir() {
            return scratch.path();
        },
        failSwitch: false,
        rows: [],
        loseWhileSwitching: false,
        args: (extra = []) => [
            "--region",
            "us-east-1",
            "--execute",
            "--target",
            target!.url,
            "--api-base",
            standIn!.url,
            "--users",
            "2",
            "--scenario",
            path.join(scratch.path(), "paced.yaml"),
            "--before",
            "0.4",
            "--during",
            "2",
            "--settle",
            "0.3",
            "--after",
            "0.3",
            "--restore-wait",
            "1",
            ...extra,
        ],
    };
    before(() => scratch.file("paced.yaml", pacedYaml(20)));
    beforeEach(async () => {
        standIn = await startStandIn([
            { id: "p1", name: "api-example-com-use1", enabled: true },
            { id: "p2", name: "api-example-com-euc1", enabled: true },
            { id: "p3", name: "api-example-com-apse1", enabled: true },
        ]);
        let served = "us-east-1";
        switching = false;
        standIn.onChange = (pool) => {
            if (pool.id !== "p1") return;
            if (pool.enabled) {
                served = "us-east-1";
                return;
            }
            switching = true;
            setTimeout(() => {
                switching = false;
                served = pool.enabled ? "us-east-1" : "eu-central-1";
            }, SWITCH_MS);
        };
        rig.failSwitch = false;
        rig.loseWhileSwitching = false;
        rig.rows.length = 0;
        target = await startTarget({
            headers: () => ({ "x-served-region": served }),
            status: () => (rig.failSwitch && switching ? 502 : 200),
            respond: (req, body) => {
                if (!req.url?.startsWith("/drill/writes")) return undefined;
                if (req.method === "GET") return { status: 200, body: { ids: rig.rows } };
                if (rig.failSwitch && switching) return { status: 502, body: { error: "switching" } };
                const { id } = JSON.parse(body) as { id: number };
                if (!(rig.loseWhileSwitching && switching)) rig.rows.push(id);
                return { status: 201, body: { id } };
            },
        });
    });
    afterEach(async () => {
        await standIn!.close();
        await target!.close();
    });
    return rig;
}

import * as assert from "node:assert/strict";
import * as vm from "node:vm";
import { POOL_SWITCH_SOURCE } from "../../../components/failover/poolSwitchSource";

type Deps = {
    env: Record<string, string>;
    fetch: (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<unknown>;
    globalClusterMembers: (id: string) => Promise<{ DBClusterArn: string; IsWriter: boolean }[]>;
    secret: (arn: string) => Promise<string>;
};

/** The handler's module, loaded as Lambda loads it (CommonJS), without the AWS SDK: `run` takes stand-ins. */
function load(): { run: (deps: Deps) => Promise<unknown> } {
    const module = { exports: {} as Record<string, unknown> };
    vm.runInNewContext(POOL_SWITCH_SOURCE, { module, exports: module.exports, require, JSON, Object, Error });
    const { run } = module.exports as { run: (deps: Deps) => Promise<unknown> };
    // Its objects come from another realm: compared through JSON.
    return { run: async (deps) => JSON.parse(JSON.stringify(await run(deps))) };
}

const EUC1 = "arn:aws:rds:eu-central-1:123456789012:cluster:euc1";
const ENV = {
    CELL_REGION: "eu-central-1",
    POOL_IDS: JSON.stringify({ "us-east-1": "pool-use1", "eu-central-1": "pool-euc1", "ap-southeast-1": "pool-apse1" }),
    CLUSTER_ARN: EUC1,
    GLOBAL_CLUSTER_ID: "platform-prod",
    CLOUDFLARE_ACCOUNT_ID: "acc",
    TOKEN_SECRET_ID: "arn:secret",
};

/** A Cloudflare stand-in: pool health by id (pop_health keyed by location), and every call it received. */
function cloudflare(health: Record<string, boolean[]>) {
    const calls: string[] = [];
    const fetch: Deps["fetch"] = async (url, init) => {
        assert.equal(init.headers.authorization, "Bearer token-1");
        const path = url.replace("https://api.cloudflare.com/client/v4/accounts/acc/load_balancers/pools/", "");
        calls.push(`${init.method} ${path}${init.body ? ` ${init.body}` : ""}`);
        const [id, sub] = path.split("/");
        const result =
            sub === "health"
                ? { pop_health: Object.fromEntries(health[id].map((h, i) => [`loc${i}`, { healthy: h }])) }
                : { id, enabled: JSON.parse(init.body ?? "{}").enabled };
        return { ok: true, status: 200, json: async () => ({ success: true, result }) };
    };
    return { calls, fetch };
}

const deps = (fetch: Deps["fetch"], writer: boolean): Deps => ({
    env: ENV,
    fetch,
    globalClusterMembers: async (id) => {
        assert.equal(id, "platform-prod");
        return [
            { DBClusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:use1", IsWriter: !writer },
            { DBClusterArn: EUC1, IsWriter: writer },
        ];
    },
    secret: async (arn) => {
        assert.equal(arn, "arn:secret");
        return "token-1";
    },
});

describe("the failover edge step (pool switch handler)", () => {
    it("refuses to shift traffic before its cluster is the writer, and calls Cloudflare not at all", async () => {
        const cf = cloudflare({});
        await assert.rejects(load().run(deps(cf.fetch, false)), /is not yet the writer of platform-prod/);
        assert.deepEqual(cf.calls, []);
    });

    it("enables its pool, disables the pool Cloudflare judges unhealthy (majority), keeps a healthy one", async () => {
        // use1: 1 of 3 locations healthy (down); apse1: 2 of 3 (up, by Cloudflare's majority rule).
        const cf = cloudflare({ "pool-use1": [false, true, false], "pool-apse1": [true, false, true], "pool-euc1": [true, true, true] });
        assert.deepEqual(await load().run(deps(cf.fetch, true)), {
            writer: "eu-central-1",
            enabled: "eu-central-1",
            disabled: ["us-east-1"],
        });
        assert.deepEqual(cf.calls, [
            'PATCH pool-euc1 {"enabled":true}',
            "GET pool-apse1/health",
            "GET pool-use1/health",
            'PATCH pool-use1 {"enabled":false}',
            "GET pool-euc1/health",
        ]);
    });

    it("disables nothing in a planned switchover (every pool healthy)", async () => {
        const cf = cloudflare({ "pool-use1": [true, true, true], "pool-apse1": [true, true, true], "pool-euc1": [true, true, true] });
        assert.deepEqual(await load().run(deps(cf.fetch, true)), { writer: "eu-central-1", enabled: "eu-central-1", disabled: [] });
    });

    it("fails the step while its own pool is not healthy yet, so that ARC retries it", async () => {
        const cf = cloudflare({ "pool-use1": [false, false, false], "pool-apse1": [true, true, true], "pool-euc1": [false, true, false] });
        await assert.rejects(load().run(deps(cf.fetch, true)), /pool of eu-central-1 is not healthy yet \(false\)/);
    });

    it("fails on a Cloudflare error with the status and the API's errors", async () => {
        const fetch: Deps["fetch"] = async () => ({
            ok: false,
            status: 403,
            json: async () => ({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }),
        });
        await assert.rejects(load().run(deps(fetch, true)), /PATCH .*pool-euc1: 403 \[\{"code":10000,"message":"Authentication error"\}\]/);
    });
});

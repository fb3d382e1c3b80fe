/**
 * The handler the Region switch plan runs in the activating Region (`regionToRun:
 * activatingRegion`), after the Aurora step: CommonJS for the Lambda Node.js 22 runtime, with
 * only Node's own modules and the AWS SDK v3 clients that runtime ships.
 *
 * What it does, in order, each step a check the next depends on:
 * 1. this Region's Aurora cluster is the global cluster's writer (else it throws and ARC retries
 *    the step: the switchover or failover has not finished);
 * 2. this cell's Cloudflare pool is enabled (a failback re-enables a pool a failover disabled);
 * 3. every other pool of the stack that Cloudflare judges unhealthy (a majority of the reporting
 *    locations, its own rule; `tools/pools.ts` reads it the same way) is disabled: the lost
 *    region's pool. A healthy one stays: a planned switchover moves the writer, not the users;
 * 4. this cell's pool is healthy as Cloudflare judges it (else it throws and ARC retries).
 *
 * The Cloudflare token (Load Balancing: Monitors and Pools Write, on the account) is read from
 * Secrets Manager in this Region at each run, so a rotated token needs no deployment. Paths are
 * the ones the `cloudflare` 7.3.0 SDK calls (`load-balancers/pools/pools.js`, `health.js`).
 *
 * `run(deps)` takes its clients as arguments so the tests drive it with stand-ins; `handler`
 * builds the real ones.
 */
export const POOL_SWITCH_SOURCE = `"use strict";
const API = "https://api.cloudflare.com/client/v4";

function majority(states) {
    const up = states.filter(Boolean).length;
    return up * 2 > states.length;
}

// Cloudflare's pop_health: { healthy } or keyed by location ({ "Frankfurt, DE": { healthy } }).
function healthOf(pop) {
    if (typeof pop !== "object" || pop === null) return null;
    if (typeof pop.healthy === "boolean") return pop.healthy;
    const states = Object.values(pop)
        .map((l) => (typeof l === "object" && l !== null ? l.healthy : undefined))
        .filter((h) => typeof h === "boolean");
    return states.length === 0 ? null : majority(states);
}

async function run(deps) {
    const env = deps.env;
    const pools = JSON.parse(env.POOL_IDS);
    const own = pools[env.CELL_REGION];
    if (own === undefined) throw new Error("POOL_IDS has no pool for " + env.CELL_REGION);

    const members = await deps.globalClusterMembers(env.GLOBAL_CLUSTER_ID);
    const me = members.find((m) => m.DBClusterArn === env.CLUSTER_ARN);
    if (!me || me.IsWriter !== true) {
        throw new Error(env.CLUSTER_ARN + " is not yet the writer of " + env.GLOBAL_CLUSTER_ID + ": waiting for the Aurora step");
    }

    const token = await deps.secret(env.TOKEN_SECRET_ID);
    const call = async (method, path, body) => {
        const res = await deps.fetch(API + path, {
            method,
            headers: { authorization: "Bearer " + token, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = await res.json();
        if (!res.ok || json.success !== true) {
            throw new Error(method + " " + path + ": " + res.status + " " + JSON.stringify(json.errors || []));
        }
        return json.result;
    };
    const base = "/accounts/" + env.CLOUDFLARE_ACCOUNT_ID + "/load_balancers/pools/";
    const health = async (id) => healthOf((await call("GET", base + id + "/health")).pop_health);

    await call("PATCH", base + own, { enabled: true });
    const disabled = [];
    for (const region of Object.keys(pools).sort()) {
        if (region === env.CELL_REGION) continue;
        if ((await health(pools[region])) === false) {
            await call("PATCH", base + pools[region], { enabled: false });
            disabled.push(region);
        }
    }
    const mine = await health(own);
    if (mine !== true) throw new Error("pool of " + env.CELL_REGION + " is not healthy yet (" + mine + ")");
    return { writer: env.CELL_REGION, enabled: env.CELL_REGION, disabled };
}

exports.run = run;
exports.handler = async () => {
    const { RDSClient, DescribeGlobalClustersCommand } = require("@aws-sdk/client-rds");
    const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
    const rds = new RDSClient({});
    const secrets = new SecretsManagerClient({});
    return run({
        env: process.env,
        fetch,
        globalClusterMembers: async (id) => {
            const out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }));
            return (out.GlobalClusters && out.GlobalClusters[0] && out.GlobalClusters[0].GlobalClusterMembers) || [];
        },
        secret: async (arn) => (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString,
    });
};
`;

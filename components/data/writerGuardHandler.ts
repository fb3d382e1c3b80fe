/**
 * The writer guard's handler, as the CommonJS source the Lambda runs (`InvokedFunction` takes
 * source, with no bundling step; the Node.js 22 runtime ships @aws-sdk/client-rds). Before
 * `pulumi up` deletes instances (a lower reader count, or a replaced instance), it makes sure
 * the cluster's writer is one of the instances that stay:
 *
 * - DescribeDBClusters: the writer is the `DBClusterMembers[]` entry whose `IsClusterWriter`
 *   is true (RDS API Reference, DBClusterMember:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html).
 * - A failover under way (`failing-over`) is waited for first, whoever is flagged writer: it may
 *   land on an instance that goes.
 * - The writer stays: nothing to do, at once (the first `up`, every scale-out, most scale-ins).
 * - No writer: a secondary of the global database, whose instances are all read-only: there is
 *   no writer to lose, nothing to do, whatever the cluster's status (a new secondary may still be
 *   `backing-up` or `modifying`; the first `up` must not wait). Only while the cluster is
 *   `failing-over` (a primary between writers) it waits. A member that a switchover made primary
 *   has a writer again and is guarded as a primary.
 * - The writer goes: FailoverDBCluster with `TargetDBInstanceIdentifier` = the first instance
 *   that stays (the lowest-numbered one, promotion tier 0; API_FailoverDBCluster.html); a
 *   refusal for the cluster's or the target's state (InvalidDBClusterStateFault,
 *   InvalidDBInstanceStateFault: API_FailoverDBCluster.html, Errors) is retried at the next poll.
 *   Then DescribeDBClusters until an instance that stays is the writer and the cluster's
 *   `Status` is `available` again ("The status returns to Available when the failover is completed":
 *   AuroraUserGuide/aurora-failover.html). Past `timeoutMs` it fails, and with it the `up`,
 *   before the deletes.
 *
 * test/components/data/writerGuardHandler.test.ts runs this very source against a fake RDS
 * endpoint speaking the RDS query protocol, through the real SDK client.
 */
export const WRITER_GUARD_HANDLER_SOURCE = String.raw`"use strict";
const { RDSClient, DescribeDBClustersCommand, FailoverDBClusterCommand } = require("@aws-sdk/client-rds");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The cluster's Status, its writer's identifier (null when it has none) and its members' identifiers. */
async function describe(rds, clusterIdentifier) {
    const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterIdentifier }));
    const cluster = (out.DBClusters || [])[0];
    if (!cluster) throw new Error("DescribeDBClusters returned no cluster " + clusterIdentifier);
    const members = cluster.DBClusterMembers || [];
    const writer = members.find((m) => m.IsClusterWriter === true);
    return { status: cluster.Status, writer: writer ? writer.DBInstanceIdentifier : null, members: members.map((m) => m.DBInstanceIdentifier) };
}

/**
 * event: { clusterIdentifier, keep: [instance identifiers that stay, the preferred writer first],
 * timeoutMs, pollMs }. deps.rds: an RDSClient.
 */
async function run(event, deps) {
    const { clusterIdentifier, keep } = event;
    if (!Array.isArray(keep) || keep.length === 0) throw new Error("keep must list the instances that stay, the preferred writer first");
    const target = keep[0];
    const started = Date.now();
    let failedOverFrom = null;
    let state;
    for (;;) {
        state = await describe(deps.rds, clusterIdentifier);
        // A failover under way may still land on an instance that goes: wait for its end first.
        const settled = state.status !== "failing-over";
        const kept = state.writer !== null && keep.includes(state.writer);
        if (failedOverFrom === null) {
            if (settled && kept) return { cluster: clusterIdentifier, action: "none", writer: state.writer };
            if (settled && state.writer === null) return { cluster: clusterIdentifier, action: "none", writer: null };
            if (settled) {
                if (!state.members.includes(target))
                    throw new Error("instance " + target + " is not a member of " + clusterIdentifier + " (members: " + state.members.join(", ") + ")");
                try {
                    await deps.rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: clusterIdentifier, TargetDBInstanceIdentifier: target }));
                    failedOverFrom = state.writer;
                    console.log(JSON.stringify({ message: "failing over before the writer's instance is deleted", cluster: clusterIdentifier, from: state.writer, to: target }));
                } catch (e) {
                    // The cluster's state (modifying, backing-up) or the target's (rebooting, modifying) refuses it for now.
                    if (e.name !== "InvalidDBClusterStateFault" && e.name !== "InvalidDBInstanceStateFault") throw e;
                    console.log(JSON.stringify({ message: "the cluster refuses a failover for now; retrying", cluster: clusterIdentifier, status: state.status, error: e.name + ": " + e.message }));
                }
            }
        } else if (kept && state.status === "available")
            // On the target, or on another instance that stays (AWS may pick another if the target cannot take it).
            return { cluster: clusterIdentifier, action: "failover", from: failedOverFrom, writer: state.writer, seconds: Math.round((Date.now() - started) / 1000) };
        else if (state.status === "available" && state.writer !== null && !kept && state.writer !== failedOverFrom) {
            // The failover landed on another instance that goes: move it again, within the same budget.
            console.log(JSON.stringify({ message: "the failover landed on an instance that goes; failing over again", cluster: clusterIdentifier, writer: state.writer }));
            failedOverFrom = null;
            continue;
        }
        if (Date.now() - started + event.pollMs > event.timeoutMs) break;
        await sleep(event.pollMs);
    }
    const wanted = failedOverFrom === null ? "a writer among " + keep.join(", ") : "writer " + target + " after a failover from " + failedOverFrom;
    throw new Error(
        "cluster " + clusterIdentifier + " did not reach " + wanted + " within " + event.timeoutMs / 1000 + " s (status " + state.status + ", writer " + state.writer +
            "); the update stops before any instance is deleted: check the cluster's events, then run pulumi up again",
    );
}

exports.run = run;
exports.handler = async (event) => run(event, { rds: new RDSClient({ region: event.region }) });
`;

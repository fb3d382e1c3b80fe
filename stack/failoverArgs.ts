/**
 * The wiring's map from the stack and its cells onto the failover components: the Region switch
 * plans (one per standby, sized by the capacity model) and the FIS templates (every cell).
 */
import type * as pulumi from "@pulumi/pulumi";
import { type FaultInjectionArgs } from "../components/failover/faultInjection";
import { type RegionSwitchArgs, type SwitchCell } from "../components/failover/regionSwitch";
import { switchPlans } from "../regions/failover";
import { type Stack } from "./parse";

/**
 * The plans' recovery time objective: the drill's RTO budget (docs/qa.md). Aurora's switchover
 * is "typically a minute" and ARC's steps time out at 15 + 30 + 15 minutes; 15 minutes is the
 * objective the team rehearses against, a choice of this program, not an AWS figure.
 */
export const FAILOVER_RTO_MINUTES = 15;

/** The alarms (components/observability/cloudWatchAlarms.ts keys) that say a cell meets its SLO. */
export const SLO_ALARMS = ["alb-elb-5xx", "alb-target-5xx", "alb-p99-latency"] as const;
/** The alarms that say replication (and so the RPO) is healthy. */
export const DATA_ALARMS = ["aurora-replica-lag", "aurora-global-lag"] as const;

/** What the failover components read of one deployed cell. */
export interface FailoverCell {
    readonly region: string;
    readonly code: string;
    readonly zoneIds: readonly string[];
    readonly eksClusterName: pulumi.Input<string>;
    readonly apiNamespace: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: readonly pulumi.Input<string>[];
    readonly dbClusterArn: pulumi.Input<string>;
    readonly alarmArns: Readonly<Record<string, pulumi.Input<string>>>;
}

const pick = (arns: Readonly<Record<string, pulumi.Input<string>>>, keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => arns[k] !== undefined).map((k) => [k, arns[k]]));

export function regionSwitchArgs(
    { config, fleet }: Stack,
    project: string,
    stack: string,
    cells: readonly FailoverCell[],
    poolIds: Readonly<Record<string, pulumi.Input<string>>>,
    global: { identifier: pulumi.Input<string>; arn: pulumi.Input<string> },
    accountId: pulumi.Input<string>,
): RegionSwitchArgs {
    const serving = new Set(fleet.serving.map((c) => c.region));
    const switchCells: SwitchCell[] = cells
        .filter((c) => serving.has(c.region))
        .map((c) => ({
            region: c.region,
            code: c.code,
            eksClusterName: c.eksClusterName,
            apiNamespace: c.apiNamespace,
            dbClusterArn: c.dbClusterArn,
            poolId: poolIds[c.region],
            sloAlarmArns: pick(c.alarmArns, SLO_ALARMS),
        }));
    return {
        project,
        stack,
        plans: switchPlans(project, stack, fleet, config.capacity.usersPerPod),
        cells: switchCells,
        accountId,
        globalClusterIdentifier: global.identifier,
        globalClusterArn: global.arn,
        cloudflareAccountId: config.cloudflare.accountId,
        secretRegion: config.awsRegion,
        replicaRegions: fleet.cells.map((c) => c.region),
        rtoMinutes: FAILOVER_RTO_MINUTES,
        logRetentionDays: config.observability.logRetentionDays,
    };
}

/** The serving cells' templates: a drained cell takes no traffic to rehearse with. */
export function faultInjectionArgs({ fleet }: Stack, cells: readonly FailoverCell[], accountId: pulumi.Input<string>): FaultInjectionArgs {
    const serving = new Set(fleet.serving.map((c) => c.region));
    return {
        accountId,
        cells: cells
            .filter((c) => serving.has(c.region))
            .map((c) => ({
                region: c.region,
                code: c.code,
                zoneIds: c.zoneIds,
                vpcId: c.vpcId,
                subnetIds: c.subnetIds,
                dbClusterArn: c.dbClusterArn,
                primary: c.region === fleet.primary.region,
                sloAlarmArns: Object.values(pick(c.alarmArns, SLO_ALARMS)),
                dataAlarmArns: Object.values(pick(c.alarmArns, DATA_ALARMS)),
            })),
    };
}

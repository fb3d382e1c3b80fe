/** Builds the data tier of a few catalog regions on fake network ids, for the data tier's tests. */
import type * as pulumi from "@pulumi/pulumi";
import { DataTier, type DataTierArgs } from "../../components/data/dataTier";
import { GlobalDatabase } from "../../components/data/globalDatabase";
import { DATA_DEFAULTS, type DataConfig } from "../../config/data";
import { ACCOUNT_ID, hexOf } from "../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../plan/runtime";
import { requireRegion } from "../../regions/catalog";
import { evaluateComponent } from "./harness";

export interface FakeCell {
    readonly region: string;
    readonly code: string;
    readonly vpcId: string;
    readonly isolatedSubnetIds: string[];
    readonly privateSubnetIds: string[];
    readonly workloadSg: string;
    readonly zoneIds: readonly string[];
}

export function fakeCell(region: string): FakeCell {
    const { code, zoneIds } = requireRegion(region);
    return {
        region,
        code,
        vpcId: `vpc-0${code}00000000000`,
        isolatedSubnetIds: ["a", "b", "c"].map((z) => `subnet-0${code}isolated${z}`),
        privateSubnetIds: ["a", "b", "c"].map((z) => `subnet-0${code}private${z}`),
        workloadSg: `sg-0${code}workload`,
        zoneIds,
    };
}

/** The regions of the data tier's tests: the primary first, then two secondaries. */
export const DATA_REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-1"] as const;

/** The primary's cell and a secondary's, for the rules that hold in both. */
export const PRIMARY_AND_SECONDARY: readonly FakeCell[] = [fakeCell("us-east-1"), fakeCell("eu-central-1")];

/** A data config as a tier's specs, with the capacity model's minimum figures (2 readers, 3 shards). */
export function dataSpecs(config: DataConfig, readers = 2, shards = 3): Pick<DataTierArgs, "database" | "cache"> {
    return {
        database: {
            instanceClass: config.instanceClass,
            port: config.port,
            backupRetentionDays: config.backupRetentionDays,
            readers,
            backupVaultName: "platform-test-data",
            airGappedVaultName: "platform-test-airgap",
            backupCopy: { region: "eu-west-1", vaultName: "platform-test-copy" },
            physicalPrefix: "platform-test",
        },
        cache: { ...config.cache, shards, userIdPrefix: "platform-test" },
    };
}

/** A tier's args in `cell` on the fake network, joining `global`; the caller adds `databaseDependsOn` on a secondary. */
export function tierArgs(cell: FakeCell, primary: boolean, global: GlobalDatabase, config: DataConfig = DATA_DEFAULTS): DataTierArgs {
    return {
        region: cell.region,
        accountId: ACCOUNT_ID,
        primary,
        global,
        vpcId: cell.vpcId,
        isolatedSubnetIds: cell.isolatedSubnetIds,
        privateSubnetIds: cell.privateSubnetIds,
        zoneIds: cell.zoneIds,
        clientSecurityGroupIds: [cell.workloadSg],
        ...dataSpecs(config),
    };
}

/** The global database and one tier per region (the first region primary), as index.ts wires them. */
export function buildData(
    regions: readonly string[],
    config: DataConfig = DATA_DEFAULTS,
    opts: pulumi.ComponentResourceOptions = {},
): { global: GlobalDatabase; tiers: DataTier[] } {
    const primary = fakeCell(regions[0]);
    const global = new GlobalDatabase(
        `${primary.code}-global-db`,
        {
            region: primary.region,
            identifier: "platform-test",
            engineVersion: config.engineVersion,
            port: config.port,
            databaseName: config.databaseName,
            accountId: ACCOUNT_ID,
        },
        opts,
    );
    const tiers: DataTier[] = [];
    regions.forEach((region, i) => {
        const cell = fakeCell(region);
        tiers.push(
            new DataTier(
                `${cell.code}-data`,
                {
                    ...tierArgs(cell, i === 0, global, config),
                    databaseDependsOn: i === 0 ? undefined : tiers[0].database.readyForSecondaries,
                },
                opts,
            ),
        );
    });
    return { global, tiers };
}

const evaluations = new Map<string, Promise<Evaluation>>();

/** Evaluates `buildData(regions)` once per region list; the stack outputs are each tier's connection. */
export function dataPlan(regions: readonly string[]): Promise<Evaluation> {
    const key = regions.join(",");
    if (!evaluations.has(key)) {
        evaluations.set(
            key,
            evaluateComponent((opts) => {
                const { tiers } = buildData(regions, DATA_DEFAULTS, opts);
                return Object.fromEntries(tiers.map((t, i) => [regions[i], t.connection]));
            }),
        );
    }
    return evaluations.get(key)!;
}

/** Resources whose name starts with `prefix`. */
export function named(ev: Evaluation, prefix: string): RecordedResource[] {
    return ev.resources.filter((r) => r.name.startsWith(prefix));
}

/** The ARN the mocks give the KMS key `name` of `region` (plan/mocks.ts derives ids from type and name). */
export function keyArn(region: string, name: string): string {
    const h = hexOf(`aws:kms/key:Key|${name}|`, 32);
    return `arn:aws:kms:${region}:123456789012:key/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The id the mocks give the security group `name`. */
export function sgId(name: string): string {
    return `sg-0${hexOf(`aws:ec2/securityGroup:SecurityGroup|${name}|`, 16)}`;
}

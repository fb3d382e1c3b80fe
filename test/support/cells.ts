/** The one factory of test cells: a catalog region as a stack lists it. */
import { type EdgeArgs, type EdgeCell } from "../../components/edge/edge";
import { EDGE_DEFAULTS } from "../../config/edge";
import { requireRegion } from "../../regions/catalog";
import { type FleetCellInput } from "../../regions/fleet";
import { steeringPlan } from "../../regions/steering";

export interface TestCellOptions {
    readonly primary?: boolean;
    readonly decommissioning?: boolean;
    /** @default the catalog's CIDR */
    readonly cidr?: string;
}

/** A catalog region as a parsed `platform:regions` entry (the fleet's input). */
export function testCell(region: string, options: TestCellOptions = {}): FleetCellInput {
    const catalog = requireRegion(region);
    return {
        region,
        code: catalog.code,
        primary: options.primary ?? false,
        decommissioning: options.decommissioning ?? false,
        cidr: options.cidr ?? catalog.cidr,
        zoneIds: catalog.zoneIds,
        catalog,
    };
}

/** A cell as the edge sees it, its origin a test hostname shaped like an ALB's DNS name. */
export function testEdgeCell(region: string, options: TestCellOptions = {}): EdgeCell & { readonly primary: boolean } {
    const { code, catalog, primary } = testCell(region, options);
    return { region, code, primary, catalog, originHostname: `k8s-${code}-api-0123456789.${region}.elb.amazonaws.com` };
}

/** `testCell(region)`, the primary when `primary` is true: the short form most tests use. */
export const cell = (region: string, primary = false): FleetCellInput => testCell(region, { primary });

export const TEST_CLOUDFLARE = { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" } as const;
export const TEST_ORIGIN_TOKEN = "origin-token-for-tests";

/**
 * The args of an edge over `cells` at the config's defaults, owning its zone alone, steered as
 * the fleet steers them (the first cell primary when none is).
 */
export function testEdgeArgs(cells: readonly (EdgeCell & { readonly primary: boolean })[], overrides: Partial<EdgeArgs> = {}): EdgeArgs {
    const steered = cells.some((c) => c.primary) ? cells : cells.map((c, i) => ({ ...c, primary: i === 0 }));
    const { tieredCache, originAuth: _rotation, ...edge } = EDGE_DEFAULTS;
    return {
        ...edge,
        ...TEST_CLOUDFLARE,
        zone: { role: "owner", tenants: [], tieredCache },
        steering: steeringPlan(steered.length ? steered : [testEdgeCell("us-east-1", { primary: true })]),
        domain: "api.example.com",
        healthPath: "/healthz",
        cells,
        alertEmail: "oncall@example.com",
        originAuthToken: TEST_ORIGIN_TOKEN,
        ...overrides,
    };
}

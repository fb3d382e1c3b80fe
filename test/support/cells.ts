/** The one factory of test cells: a catalog region as a stack lists it. */
import { type EdgeCell } from "../../components/edge/edge";
import { requireRegion } from "../../regions/catalog";
import { type FleetCellInput } from "../../regions/fleet";

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
        azs: catalog.azs,
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

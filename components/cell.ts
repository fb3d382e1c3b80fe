import * as pulumi from "@pulumi/pulumi";
import { CellConfig } from "../regions/config";
import { Network } from "./network";

export interface RegionalCellArgs {
    /** The cell's region, code, CIDR and AZs, from the validated config. */
    readonly cell: CellConfig;
}

/**
 * One AWS region's complete stack, stamped once per entry of `platform:regions`. Its name
 * is the region code, and every child's name starts with it, so cells never collide.
 * Tiers are composed here; each is a component of its own.
 */
export class RegionalCell extends pulumi.ComponentResource {
    readonly region: string;
    readonly code: string;
    readonly network: Network;

    constructor(name: string, args: RegionalCellArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:RegionalCell", name, {}, opts);
        const { cell } = args;
        const child = { parent: this };
        this.region = cell.region;
        this.code = cell.code;

        this.network = new Network(`${name}-net`, { region: cell.region, cidr: cell.cidr, azs: cell.azs }, child);

        this.registerOutputs({ region: this.region, vpcId: this.network.vpcId });
    }
}

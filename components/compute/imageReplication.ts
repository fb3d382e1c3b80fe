import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type EcrImage } from "../../regions/image";

export interface ImageReplicationArgs {
    /** The API image as pushed (its registry, region and repository). */
    readonly image: EcrImage;
    /** Every cell's region; the source region among them is left out of the destinations. Plain: one destination each. */
    readonly regions: readonly string[];
}

/**
 * The registry's replication configuration in the image's source region: the repository is
 * copied, same name and digest, to every other cell's region, where that cell pulls it through
 * its own ECR endpoints. ECR keeps one replication configuration per registry and region, so one
 * stack per account declares it (`platform:app.replicateImage`; the cross-stack check refuses two).
 * ECR replicates only images pushed after the rule exists (README, first deployment, step 2).
 */
export class ImageReplication extends pulumi.ComponentResource {
    readonly destinations: readonly string[];

    constructor(name: string, args: ImageReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:global:ImageReplication", name, {}, opts);
        const destinations = [...new Set(args.regions)].filter((r) => r !== args.image.region).sort();
        if (destinations.length === 0)
            throw new pulumi.ResourceError(
                `ImageReplication "${name}": every cell is in ${args.image.region}, the image's own region; declare no replication`,
                this,
            );
        new aws.ecr.ReplicationConfiguration(
            `${name}-replication`,
            {
                region: args.image.region,
                replicationConfiguration: {
                    rules: [
                        {
                            destinations: destinations.map((region) => ({ region, registryId: args.image.account })),
                            repositoryFilters: [{ filter: args.image.repository, filterType: "PREFIX_MATCH" }],
                        },
                    ],
                },
            },
            { parent: this },
        );
        this.destinations = destinations;
        this.registerOutputs({});
    }
}

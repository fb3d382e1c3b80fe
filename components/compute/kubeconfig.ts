/**
 * The kubeconfig of one cell's Kubernetes provider. Credentials are never stored: kubectl's
 * exec plugin asks `aws eks get-token` for a short-lived token, with the cluster's region
 * explicit so that the deployer's default region can never point it at another cell.
 */
import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly endpoint: pulumi.Input<string>;
    /** Base64 PEM of the cluster CA (`certificateAuthority.data`). */
    readonly certificateAuthorityData: pulumi.Input<string>;
    readonly region: string;
}

/** A kubeconfig as JSON (YAML's superset, which the Kubernetes provider accepts). */
export function kubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
    return pulumi.jsonStringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "eks", cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name: "eks", context: { cluster: "eks", user: "aws" } }],
        "current-context": "eks",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

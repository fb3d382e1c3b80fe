// The load-generator stack (wiring only): one LoadGeneratorSite per site of `loadgen:sites`, each
// through a Kubernetes provider of its own kubeconfig context. Never production: loadgen/sites.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LoadGeneratorSite } from "../components/loadtest/loadGeneratorSite";
import { parseValue } from "../config/platform";
import { ConfigError } from "../config/problems";
import { projectRoot, readProjectName } from "../plan/stackConfig";
import { parseSites, siteCode } from "./sites";

const prefix = "loadgen:";
const raw = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig())
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), parseValue(value)]),
);

function load() {
    try {
        return parseSites(raw, pulumi.getStack(), readProjectName(projectRoot()));
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

const config = load();
export const sites = Object.fromEntries(
    config.sites.map((site) => {
        const code = siteCode(site);
        const provider = new k8s.Provider(`${code}-k8s`, { context: site.context });
        const generator = new LoadGeneratorSite(
            code,
            {
                namespace: config.namespace,
                maxWorkers: config.maxWorkersPerSite,
                workerCpuMillicores: config.workerCpuMillicores,
                workerMemoryMiB: config.workerMemoryMiB,
            },
            { providers: [provider] },
        );
        return [site.region, { context: site.context, namespace: generator.namespace, serviceAccountName: generator.serviceAccountName }];
    }),
);

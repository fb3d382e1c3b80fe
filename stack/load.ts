/**
 * Reads the stack config from Pulumi and validates it before any resource is declared.
 * An invalid config ends the program with `pulumi.RunError`: the engine prints the list of
 * problems without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type PlatformConfig, namespaceValues, parseConfig } from "../config/platform";

export function loadConfig(): PlatformConfig {
    const all = pulumi.runtime.allConfig();
    try {
        return parseConfig(namespaceValues(all), all["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

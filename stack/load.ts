/**
 * Reads the running program's stack config from Pulumi and parses it (`stack/parse.ts`). An
 * invalid stack ends the program with `pulumi.RunError`: the engine prints the list of
 * problems without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, namespaceValues } from "../config/platform";
import { switchPlanProblems } from "../regions/failover";
import { stackNameProblems } from "../regions/naming";
import { type Stack, parseStack } from "./parse";

export type { Stack };

/** The stack of the running Pulumi program. */
export function loadStack(): Stack {
    const all = pulumi.runtime.allConfig();
    let stack: Stack;
    try {
        stack = parseStack(namespaceValues(all), all["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
    // Physical names carry the stack (regions/naming.ts): a stack name they cannot carry is refused here, before any resource.
    const names = stackNameProblems(
        pulumi.getStack(),
        stack.fleet.cells.map((c) => c.code),
    );
    if (names.length > 0) throw new pulumi.RunError(names.join("\n"));
    // The failover plans' names carry the project and stack (regions/failover.ts): checked before any resource.
    const plans = switchPlanProblems(pulumi.getProject(), pulumi.getStack(), stack.fleet, stack.config.capacity.usersPerPod);
    if (plans.length > 0) throw new pulumi.RunError(`stack ${pulumi.getStack()}:\n- ${plans.join("\n- ")}`);
    return stack;
}

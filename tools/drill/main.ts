/**
 * `npm run drill`: the failover drill's entry point (its flags: `npm run drill -- --help`;
 * docs/qa.md). Always prints what a failure of the region should do (which cells take its
 * users, and their load). With --execute (and CLOUDFLARE_API_TOKEN) it takes the region's
 * load-balancer pool out through Cloudflare's API under load, measures the switch, puts the
 * pool back, and writes a report. Whatever happens after the pool is touched (an API error,
 * Ctrl-C), the drill re-enables it before it exits, and says so; with --arc-plan it also runs
 * the stack's Region switch plan (tools/drill/arcPlan.ts), and leaves the pool out once the plan
 * may have moved the writer, saying what to do.
 *
 * Exit status: 0 done (and, with --execute, the pool is back, or left out with the completed
 * plan, and the reroute was seen or no region header was available); 1 no reroute was seen, or
 * (with --writes) a ledger figure is over its budget, or (with --arc-plan) a plan step failed or
 * the plan outran its RTO; 2 bad input (also a plan ARC holds otherwise than asked); 3 the drill
 * failed (API or AWS CLI error, interrupted, target unreachable), with the pool restored unless
 * stderr says otherwise.
 */
import { InputError, type Io, TOOL_EXIT, errorLine, processIo, startupExit } from "../common";
import { type DrillRuntime, runDrill } from "./execution";
import { type DrillOptions, parseOptions } from "./options";
import { type DrillReport } from "./report";

/** The exit status of a drill that ran to its end. */
export function exitCodeOf(outcome: DrillReport["outcome"]): number {
    if (outcome === "planned" || outcome === "completed") return TOOL_EXIT.ok;
    return outcome === "no-reroute" || outcome === "plan-failed" ? TOOL_EXIT.objective : TOOL_EXIT.failure;
}

export async function main(
    argv: string[],
    io: Io = processIo,
    env: NodeJS.ProcessEnv = process.env,
    runtime: Omit<DrillRuntime, "io"> = {},
): Promise<number> {
    let options: DrillOptions;
    try {
        options = parseOptions(argv, env);
    } catch (err) {
        return startupExit("drill", io, err);
    }
    try {
        const report = await runDrill(options, { env, ...runtime, io });
        const code = exitCodeOf(report.outcome);
        // A ledger over budget fails the drill even when the reroute was seen (exit 1).
        return code === TOOL_EXIT.ok && report.ledger && !report.ledger.withinBudget ? TOOL_EXIT.objective : code;
    } catch (err) {
        // Bad input found before anything changed (the Region switch plan as ARC holds it): exit 2.
        if (err instanceof InputError) return startupExit("drill", io, err);
        io.err(errorLine("drill", err));
        return TOOL_EXIT.failure;
    }
}

if (require.main === module) {
    // Ctrl-C (or a CI cancel) ends the drill early but never skips putting the pool back.
    const controller = new AbortController();
    const onSignal = () => {
        if (controller.signal.aborted) process.stderr.write("drill: still restoring the pool; wait for it\n");
        controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    main(process.argv.slice(2), processIo, process.env, { signal: controller.signal }).then((code) => process.exit(code));
}

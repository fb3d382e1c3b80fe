/**
 * The cloud rules on plan JSON files (`npm run plan -- --json FILE` of any commit):
 *
 *   node .build/plan/rules/cli.js [--no-known] BEFORE.json [AFTER.json]
 *
 * applies the plan rules to each file and, with two, the transition rules to BEFORE → AFTER:
 * how a plan made by older code would have fared. `--no-known` reports the known violations of
 * today's code (plan/rules/known.ts) as violations. Exit 1 when a rule is violated, 2 on bad arguments.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type CloudRuleReport, classify, formatCloudRules } from ".";
import { planRuleViolations } from "./limits";
import { transitionViolations } from "./transitions";
import { type RuleResource } from "./violation";

type PlanFile = { readonly resources: readonly RuleResource[] };

export function main(argv: string[]): number {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: { "no-known": { type: "boolean", default: false } },
            allowPositionals: true,
            strict: true,
        });
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\nusage: node .build/plan/rules/cli.js [--no-known] BEFORE.json [AFTER.json]\n`);
        return 2;
    }
    const files = parsed.positionals;
    if (files.length < 1 || files.length > 2) {
        process.stderr.write("usage: node .build/plan/rules/cli.js [--no-known] BEFORE.json [AFTER.json]\n");
        return 2;
    }
    const known = parsed.values["no-known"] ? [] : undefined;
    const plans = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as PlanFile);
    const reports: CloudRuleReport[] = [];
    plans.forEach((plan, i) => {
        const report = classify(planRuleViolations(plan.resources), known);
        reports.push(report);
        process.stdout.write(`${files[i]}\n${formatCloudRules(report, "plan")}\n\n`);
    });
    if (plans.length === 2) {
        const report = classify(transitionViolations(plans[0], plans[1]), known);
        reports.push(report);
        process.stdout.write(`${files[0]} → ${files[1]}\n${formatCloudRules(report, "transition")}\n`);
    }
    return reports.some((r) => r.violations.length > 0) ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

/** Wording shared by the model's messages and the plan's tables. */

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 25000 → "25,000" (the same on every locale). */
export function formatCount(n: number): string {
    return COUNT.format(n);
}

/** "when us-east-1 is down", "when us-east-1 and eu-central-1 are down", or "with every region up". */
export function describeFailure(failed: readonly string[]): string {
    if (failed.length === 0) return "with every region up";
    if (failed.length === 1) return `when ${failed[0]} is down`;
    return `when ${failed.slice(0, -1).join(", ")} and ${failed[failed.length - 1]} are down`;
}

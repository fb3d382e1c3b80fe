/**
 * Origin lock beyond Cloudflare's IP ranges. Those ranges are shared by every Cloudflare
 * customer: anyone could point their own zone at a cell's ALB and skip this zone's rate
 * limit and cache rules. So Cloudflare adds a secret header to every request this zone
 * forwards (a request header transform rule, and the health monitor's own headers), and
 * the ALBs forward only requests for the domain that carry it; everything else gets 403.
 *
 * Two slots make the secret rotatable without a 403: the ALBs accept both slots' values,
 * Cloudflare sends the active slot's. `platform:edge.originAuth.generation` g puts the active
 * slot at a (g odd) or b (g even); raising g by one gives the other slot a new secret and makes
 * it active, while the old active value stays accepted. In one `pulumi up` the ALBs take the
 * new value before Cloudflare sends it: the edge depends on the cells (index.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export const ORIGIN_AUTH_HEADER = "x-origin-auth";

export type OriginAuthSlot = "a" | "b";

/** Which slot is active at `generation`, and the generation each slot's secret was made at (0: its first value). */
export function originAuthSlots(generation: number): {
    readonly active: OriginAuthSlot;
    readonly generations: Readonly<Record<OriginAuthSlot, number>>;
} {
    if (!Number.isInteger(generation) || generation < 1) throw new Error(`origin-auth generation ${generation} must be an integer ≥ 1`);
    const active: OriginAuthSlot = generation % 2 === 1 ? "a" : "b";
    const previous = generation - 1;
    return { active, generations: active === "a" ? { a: generation, b: previous } : { a: previous, b: generation } };
}

export interface OriginAuthSecrets {
    readonly activeSlot: OriginAuthSlot;
    /** What Cloudflare sends. */
    readonly active: pulumi.Output<string>;
    /** What the ALBs accept: both slots. */
    readonly accepted: pulumi.Output<string>[];
}

/**
 * The two slots' secrets (48 alphanumerics each, Pulumi secrets). Slot a is the resource the
 * single secret always was (`origin-auth-token`), with no keepers at generation 1, so upgrading
 * a stack to two slots keeps its secret; a slot gets a new value when its generation changes.
 */
export function originAuthSecrets(generation: number, opts?: pulumi.CustomResourceOptions): OriginAuthSecrets {
    const { active, generations } = originAuthSlots(generation);
    const slot = (name: string, keepers: Record<string, string> | undefined) =>
        new random.RandomPassword(name, { length: 48, special: false, ...(keepers ? { keepers } : {}) }, opts).result;
    const a = slot("origin-auth-token", generations.a === 1 ? undefined : { generation: String(generations.a) });
    const b = slot("origin-auth-token-b", { generation: String(generations.b) });
    return { activeSlot: active, active: active === "a" ? a : b, accepted: [a, b] };
}

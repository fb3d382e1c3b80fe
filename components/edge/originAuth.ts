/**
 * Origin lock beyond Cloudflare's IP ranges. Those ranges are shared by every Cloudflare
 * customer: anyone could point their own zone at a cell's ALB and skip this zone's rate
 * limit and cache rules. So Cloudflare adds a secret header to every request this zone
 * forwards (a request header transform rule, and the health monitor's own headers), and
 * the ALBs forward only requests for the domain that carry it; everything else gets 403.
 */
export const ORIGIN_AUTH_HEADER = "x-origin-auth";

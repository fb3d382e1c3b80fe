/**
 * A loopback stand-in for the Cloudflare API endpoints a drill uses: list pools, pool health,
 * PATCH a pool. Answers in Cloudflare's envelope ({ success, errors, messages, result }).
 */
import * as http from "node:http";
import { listen } from "./loopback";

export interface StandInPool {
    id: string;
    name: string;
    enabled: boolean;
    description?: string;
}

export type CallKind = "list" | "health" | "disable" | "enable" | "other";

export interface StandIn {
    /** Base URL for the client: http://127.0.0.1:PORT/client/v4 */
    readonly url: string;
    readonly pools: StandInPool[];
    /** Every call, in order. */
    readonly calls: { kind: CallKind; method: string; path: string; body: unknown; authorization?: string }[];
    /** Statuses to answer instead of succeeding, consumed one per call of that kind. */
    readonly failures: Partial<Record<CallKind, number[]>>;
    /** Health each pool reports. @default true */
    healthy: boolean;
    /** Called after a PATCH changed a pool. */
    onChange?: (pool: StandInPool) => void;
    close(): Promise<void>;
}

export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const TOKEN = "test-token-not-a-secret";

export async function startStandIn(pools: StandInPool[]): Promise<StandIn> {
    const state = {
        pools,
        calls: [] as StandIn["calls"],
        failures: {} as StandIn["failures"],
        healthy: true,
        onChange: undefined as StandIn["onChange"],
    };
    const prefix = `/client/v4/accounts/${ACCOUNT}/load_balancers/pools`;
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => {
            const send = (status: number, result: unknown, errors: { code: number; message: string }[] = []) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(
                    JSON.stringify({
                        success: status < 400,
                        errors,
                        messages: [],
                        result,
                        ...(Array.isArray(result)
                            ? { result_info: { page: 1, per_page: 20, count: result.length, total_count: result.length } }
                            : {}),
                    }),
                );
            };
            const url = new URL(req.url ?? "/", "http://x");
            const body = text ? JSON.parse(text) : undefined;
            const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : null;
            const match = rest === null ? null : /^(?:\/([0-9a-z]+))?(\/health)?$/.exec(rest);
            const id = match?.[1];
            const kind: CallKind =
                match === null
                    ? "other"
                    : req.method === "GET" && !id
                      ? "list"
                      : req.method === "GET" && match[2]
                        ? "health"
                        : req.method === "PATCH" && id && !match[2]
                          ? body?.enabled === false
                              ? "disable"
                              : "enable"
                          : "other";
            state.calls.push({ kind, method: req.method ?? "", path: url.pathname, body, authorization: req.headers.authorization });
            if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, null, [{ code: 10000, message: "Authentication error" }]);
            const failure = state.failures[kind]?.shift();
            if (failure !== undefined) return send(failure, null, [{ code: 1000, message: "internal error" }]);
            const pool = state.pools.find((p) => p.id === id);
            if (kind === "list") return send(200, state.pools);
            if (kind === "other" || !pool) return send(404, null, [{ code: 1002, message: "not found" }]);
            if (kind === "health") {
                // Keyed by location, as the API answers (not the flat shape its schema shows).
                return send(200, {
                    pool_id: pool.id,
                    pop_health: {
                        "Ashburn, VA": { healthy: state.healthy, origins: [] },
                        "Frankfurt, DE": { healthy: state.healthy, origins: [] },
                    },
                });
            }
            pool.enabled = body.enabled;
            send(200, pool);
            state.onChange?.(pool);
        });
    });
    const s = await listen(server, state);
    return Object.assign(s, { url: `${s.url}/client/v4` }) as unknown as StandIn;
}

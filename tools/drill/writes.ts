/**
 * The drill's write load: writers that POST `{ "run": r, "id": n }` (r the drill's own run key, n
 * monotonic from 1) to the API's drill-writes endpoint, and record in a `Ledger` which ids the
 * API acknowledged and, for every request, when it completed, whether it succeeded and which
 * cell served it (the region header). After the drill `readBack` GETs the same endpoint with
 * `?run=r`, which answers `{ "ids": [...] }` from the current writer: one entry per row of that
 * run, so a duplicate shows twice and an earlier drill's rows are not this one's.
 *
 * The endpoint is the API's contract with the drill (docs/qa.md, "Write ledger"): insert the run
 * and id into a table without a unique constraint on them (so duplicates stay visible),
 * acknowledge only after the commit, list one run's ids.
 */
import { randomUUID } from "node:crypto";
import { type Ledger, type LedgerRequest } from "./ledger";

export interface WriteLoadOptions {
    /** The endpoint, e.g. https://api.example.com/v1/drill/writes. */
    readonly url: string;
    /** Concurrent writers. */
    readonly writers: number;
    /** The response header naming the cell that served. */
    readonly regionHeader: string;
    /** Per-request timeout; a timed-out write is unacknowledged (it may still land: a late write). */
    readonly timeoutMs: number;
    /** Pause between one writer's writes. @default 0 */
    readonly pauseMs?: number;
    /** The drill's clock. @default performance.now */
    readonly now?: () => number;
    readonly fetch?: typeof fetch;
    /** This drill's run key: ids restart at 1 every run. @default a new random key */
    readonly run?: string;
}

/** A new run key: unique enough that two drills' ids never mix. */
export function newRunKey(): string {
    return randomUUID();
}

export class WriteLoad {
    private nextId = 1;
    private stopped = false;
    private readonly sent: number[] = [];
    private readonly acknowledged: number[] = [];
    private readonly requests: LedgerRequest[] = [];
    private readonly running: Promise<void>[];
    private readonly now: () => number;
    private readonly send: typeof fetch;
    /** The run key every write carries, and `readBack` filters by. */
    readonly run: string;

    constructor(private readonly options: WriteLoadOptions) {
        this.run = options.run ?? newRunKey();
        this.now = options.now ?? (() => performance.now());
        this.send = options.fetch ?? fetch;
        this.running = Array.from({ length: options.writers }, () => this.writer());
    }

    /** Stops sending, waits for the writes in flight, and returns the ledger. */
    async stop(): Promise<Ledger> {
        this.stopped = true;
        await Promise.all(this.running);
        return {
            sent: [...this.sent].sort((a, b) => a - b),
            acknowledged: [...this.acknowledged].sort((a, b) => a - b),
            requests: [...this.requests].sort((a, b) => a.atMs - b.atMs),
        };
    }

    /** Acknowledged so far. */
    get acknowledgedCount(): number {
        return this.acknowledged.length;
    }

    /** The ids acknowledged so far, ascending. */
    acknowledgedIds(): number[] {
        return [...this.acknowledged].sort((a, b) => a - b);
    }

    private async writer(): Promise<void> {
        while (!this.stopped) {
            const id = this.nextId++;
            this.sent.push(id);
            const sentMs = this.now();
            let ok = false;
            let servedBy: string | undefined;
            try {
                const res = await this.send(this.options.url, {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify({ run: this.run, id }),
                    signal: AbortSignal.timeout(this.options.timeoutMs),
                });
                await res.arrayBuffer();
                ok = res.status >= 200 && res.status < 300;
                servedBy = res.headers.get(this.options.regionHeader) ?? undefined;
            } catch {
                ok = false;
            }
            if (ok) this.acknowledged.push(id);
            this.requests.push({ atMs: this.now(), sentMs, ok, ...(servedBy !== undefined ? { servedBy } : {}) });
            if (!ok || (this.options.pauseMs ?? 0) > 0) await new Promise((r) => setTimeout(r, ok ? this.options.pauseMs : 20));
        }
    }
}

/** The ids of run `run` the current writer holds, one per row, from the endpoint's GET. */
export async function readBack(url: string, run: string, timeoutMs: number, send: typeof fetch = fetch): Promise<number[]> {
    const at = new URL(url);
    at.searchParams.set("run", run);
    const res = await send(at, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) throw new Error(`GET ${at.href}: ${res.status}`);
    const body = (await res.json()) as { ids?: unknown };
    if (!Array.isArray(body.ids) || !body.ids.every((id) => Number.isInteger(id)))
        throw new Error(`GET ${at.href}: expected { "ids": [integers] }`);
    return body.ids as number[];
}

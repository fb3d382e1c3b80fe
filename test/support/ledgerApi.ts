/**
 * A loopback stand-in for the API's drill-writes endpoint (docs/qa.md, "Write ledger") over a
 * real PostgreSQL writer: POST inserts the id and acknowledges after the commit, naming the cell
 * in the region header; GET lists the ids, one per row. The test repoints it at the promoted
 * replica, fences it during a switchover, and injects the two faults a real API can have: an
 * acknowledgement lost after the commit (a late write) and a write applied twice (a duplicate).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { type Client } from "pg";
import { type Node } from "./postgres";

export const REGION_HEADER = "x-served-region";

export class LedgerApi {
    private server?: Server;
    private client?: Client;
    private region = "";
    private fenced = false;
    /** Commit the next n writes but answer 500. */
    dropAcks = 0;
    /** Insert the next n writes twice. */
    applyTwice = 0;
    /** The ids whose acknowledgement was dropped, and those applied twice. */
    readonly droppedAcks: number[] = [];
    readonly appliedTwice: number[] = [];
    url = "";

    async listen(): Promise<void> {
        this.server = createServer((req, res) => void this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        const { port } = this.server.address() as { port: number };
        this.url = `http://127.0.0.1:${port}/drill/writes`;
    }

    /** Sends writes to `node`, as cell `region`. */
    async point(node: Node, region: string): Promise<void> {
        const old = this.client;
        this.client = undefined;
        await old?.end().catch(() => undefined);
        this.client = await node.client();
        this.client.on("error", () => undefined);
        this.region = region;
    }

    /** Loses the writer (it crashed): writes answer 503 until `point`. */
    async lose(): Promise<void> {
        const old = this.client;
        this.client = undefined;
        await old?.end().catch(() => undefined);
    }

    fence(on: boolean): void {
        this.fenced = on;
    }

    async close(): Promise<void> {
        await this.lose();
        await new Promise((resolve) => this.server?.close(resolve));
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const answer = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json", ...(status < 300 ? { [REGION_HEADER]: this.region } : {}) });
            res.end(JSON.stringify(body));
        };
        const client = this.client;
        if (!client || this.fenced) return answer(503, { error: this.fenced ? "switching" : "no writer" });
        try {
            if (req.method === "GET") {
                const run = new URL(req.url ?? "/", "http://x").searchParams.get("run");
                const rows = await client.query<{ id: string }>("SELECT id FROM ledger WHERE run = $1 ORDER BY id", [run]);
                return answer(200, { ids: rows.rows.map((r) => Number(r.id)) });
            }
            let body = "";
            for await (const chunk of req) body += chunk;
            const { run, id } = JSON.parse(body) as { run: string; id: number };
            const twice = this.applyTwice > 0;
            if (twice) this.applyTwice--;
            await client.query(
                twice ? "INSERT INTO ledger (run, id) VALUES ($1, $2), ($1, $2)" : "INSERT INTO ledger (run, id) VALUES ($1, $2)",
                [run, id],
            );
            if (twice) this.appliedTwice.push(id);
            if (this.dropAcks > 0) {
                this.dropAcks--;
                this.droppedAcks.push(id);
                return answer(500, { error: "the acknowledgement was lost" });
            }
            return answer(201, { id });
        } catch {
            return answer(503, { error: "the writer failed" });
        }
    }
}

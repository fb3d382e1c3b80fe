/**
 * HTTP servers on 127.0.0.1 (ephemeral ports) for the QA tool tests: a target with
 * controlled latency and error rate, and helpers to capture a command's output.
 */
import * as http from "node:http";
import { type AddressInfo } from "node:net";
import { type Io } from "../../tools/common";

export interface TargetBehaviour {
    /** Delay before answering, in ms, given the in-flight count including this request. @default 0 */
    delayMs?: (inFlight: number, req: http.IncomingMessage) => number;
    /** Answer 500 to every n-th request (1-based); 0 never. @default 0 */
    errorEvery?: number;
    /** Close the connection without answering the n-th request (1-based). */
    drop?: (n: number) => boolean;
    /** Status per request (before errorEvery applies). @default 200 */
    status?: (req: http.IncomingMessage) => number;
    /** Extra response headers, read per request. */
    headers?: () => Record<string, string>;
    /** Answers a request itself (status and JSON body) instead of the defaults; undefined: the defaults. */
    respond?: (req: http.IncomingMessage, body: string) => { status: number; body: unknown } | undefined;
}

export interface Target {
    readonly url: string;
    /** Requests seen: method, path, headers and body. */
    readonly seen: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[];
    close(): Promise<void>;
}

export async function startTarget(behaviour: TargetBehaviour = {}): Promise<Target> {
    const seen: Target["seen"] = [];
    let inFlight = 0;
    let count = 0;
    const server = http.createServer((req, res) => {
        inFlight++;
        const n = ++count;
        const delay = behaviour.delayMs?.(inFlight, req) ?? 0;
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
            const answer = () => {
                inFlight--;
                if (behaviour.drop?.(n)) {
                    req.socket.destroy();
                    return;
                }
                const own = behaviour.respond?.(req, body);
                if (own) {
                    res.writeHead(own.status, { "content-type": "application/json", ...(behaviour.headers?.() ?? {}) });
                    res.end(JSON.stringify(own.body));
                    return;
                }
                const error = behaviour.errorEvery !== undefined && behaviour.errorEvery > 0 && n % behaviour.errorEvery === 0;
                res.writeHead(error ? 500 : (behaviour.status?.(req) ?? 200), {
                    "content-type": "application/json",
                    ...(behaviour.headers?.() ?? {}),
                });
                res.end(error ? '{"error":"boom"}' : '{"ok":true}');
            };
            if (delay > 0) setTimeout(answer, delay);
            else answer();
        });
    });
    return listen(server, { seen });
}

export async function listen<T>(server: http.Server, extra: T): Promise<{ url: string; close(): Promise<void> } & T> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return Object.assign(extra as object, {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    }) as { url: string; close(): Promise<void> } & T;
}

/** An Io that keeps what a command writes. */
export function captureIo(): Io & { stdout: () => string; stderr: () => string } {
    let out = "";
    let err = "";
    return { out: (t) => void (out += t), err: (t) => void (err += t), tty: false, stdout: () => out, stderr: () => err };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

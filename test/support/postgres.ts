/**
 * A real PostgreSQL primary and an asynchronous streaming replica on loopback, in a temporary
 * folder, for the drill's ledger tests: Debian's packages (`.ci/run` installs `postgresql`),
 * binaries found under /usr/lib/postgresql/<major>/bin, run as `postgres` through `runuser`
 * when the tests run as root (initdb refuses root). Every command is bounded in time.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client } from "pg";

const ROOT = "/usr/lib/postgresql";
const COMMAND_TIMEOUT_MS = 60_000;

/** The newest installed major's bin folder, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
    if (!existsSync(ROOT)) return undefined;
    const majors = readdirSync(ROOT)
        .filter((d) => /^\d+$/.test(d) && existsSync(path.join(ROOT, d, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a));
    return majors.length ? path.join(ROOT, majors[0], "bin") : undefined;
}

const asRoot = process.getuid?.() === 0;

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

export interface Node {
    readonly name: string;
    readonly dir: string;
    readonly port: number;
    client(): Promise<Client>;
}

/** A primary and its streaming replica; `close()` stops both and removes the folder. */
export class ReplicatedPostgres {
    private constructor(
        private readonly bin: string,
        private readonly root: string,
        readonly primary: Node,
        readonly replica: Node,
    ) {}

    static async start(bin: string): Promise<ReplicatedPostgres> {
        const root = mkdtempSync(path.join(tmpdir(), "drill-pg-"));
        if (asRoot) execFileSync("chown", ["postgres:postgres", root]);
        const node = (name: string, port: number): Node => ({
            name,
            dir: path.join(root, name),
            port,
            client: async () => {
                const c = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: 5000 });
                await c.connect();
                return c;
            },
        });
        const db = new ReplicatedPostgres(bin, root, node("primary", await freePort()), node("replica", await freePort()));
        db.run("initdb", ["-D", db.primary.dir, "-U", "postgres", "--auth=trust", "--no-sync"]);
        db.configure(db.primary);
        db.pgCtl(db.primary, "start");
        db.run("pg_basebackup", [
            "-h",
            "127.0.0.1",
            "-p",
            String(db.primary.port),
            "-U",
            "postgres",
            "-D",
            db.replica.dir,
            "-R",
            "-X",
            "stream",
        ]);
        db.configure(db.replica);
        db.pgCtl(db.replica, "start");
        return db;
    }

    /** Runs a PostgreSQL binary (as postgres when root), bounded in time. */
    run(binary: string, args: string[]): string {
        const file = path.join(this.bin, binary);
        const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
        return execFileSync(cmd, argv, {
            encoding: "utf8",
            timeout: COMMAND_TIMEOUT_MS,
            cwd: this.root,
            stdio: ["ignore", "pipe", "pipe"],
        });
    }

    pgCtl(node: Node, action: "start" | "promote" | "stop-immediate" | "stop-fast"): void {
        const log = path.join(this.root, `${node.name}.log`);
        if (action === "start") this.run("pg_ctl", ["-D", node.dir, "-l", log, "-w", "-t", "60", "start"]);
        else if (action === "promote") this.run("pg_ctl", ["-D", node.dir, "-w", "-t", "60", "promote"]);
        // immediate: a crash (no shutdown checkpoint, nothing more sent to the standby); fast: a clean stop.
        else this.run("pg_ctl", ["-D", node.dir, "-m", action === "stop-immediate" ? "immediate" : "fast", "-w", "-t", "60", "stop"]);
    }

    private configure(node: Node): void {
        // Appended last, so these win over the copied primary's settings on the replica.
        const conf = [
            `port = ${node.port}`,
            "listen_addresses = '127.0.0.1'",
            `unix_socket_directories = '${node.dir}'`,
            "wal_level = replica",
            "max_wal_senders = 5",
            "hot_standby = on",
            "fsync = off",
            // Asynchronous: the primary acknowledges a commit without waiting for the replica.
            "synchronous_standby_names = ''",
        ].join("\n");
        // Root may append to a file postgres owns; the owner stays postgres.
        appendFileSync(path.join(node.dir, "postgresql.conf"), `\n${conf}\n`);
    }

    close(): void {
        for (const node of [this.replica, this.primary]) {
            try {
                this.pgCtl(node, "stop-immediate");
            } catch {
                // already stopped
            }
        }
        rmSync(this.root, { recursive: true, force: true });
    }
}

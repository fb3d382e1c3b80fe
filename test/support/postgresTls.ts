/**
^ * A real PostgreSQL server with TLS for the bootstrap tests (test/support/postgres.ts is the
 * drill's primary and replica pair): Debian's `postgresql` package
 * (`apt-get install -y postgresql`, as .ci/run does), a fresh cluster in a temporary folder,
 * TLS on with a throw-away self-signed certificate for `localhost`, SCRAM-SHA-256 only,
 * listening on loopback. initdb refuses root, so as root the server runs as `postgres`.
 * Every command is bounded in time; `stop()` removes the folder.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, postgresBin } from "./postgres";

export interface Postgres {
    readonly host: "localhost";
    readonly port: number;
    readonly superuser: string;
    readonly password: string;
    /** The server's certificate: the CA a client verifies against. */
    readonly caFile: string;
    /** psql as the superuser, one SQL string; returns the unaligned, tuples-only output. */
    psql(sql: string, database?: string): string;
    stop(): void;
}

const COMMAND_TIMEOUT_MS = 60_000;

function binDir(): string {
    const bin = postgresBin();
    if (bin === undefined) throw new Error("no PostgreSQL server under /usr/lib/postgresql: install it with apt-get install -y postgresql");
    return bin;
}

export async function startPostgres(superuser = "platform_admin"): Promise<Postgres> {
    const bin = binDir();
    const asRoot = process.getuid?.() === 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
    const data = path.join(dir, "data");
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
        return execFileSync(file, argv, { timeout: COMMAND_TIMEOUT_MS, encoding: "utf8", env: { ...process.env, ...env }, stdio: "pipe" });
    };
    fs.writeFileSync(path.join(dir, "pw"), password);
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            path.join(dir, "server.key"),
            "-out",
            path.join(dir, "server.crt"),
        ],
        { timeout: COMMAND_TIMEOUT_MS, stdio: "pipe" },
    );
    fs.chmodSync(path.join(dir, "server.key"), 0o600);
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir], { timeout: COMMAND_TIMEOUT_MS });
    fs.chmodSync(dir, 0o755);
    run("initdb", ["-D", data, "-U", superuser, "--auth=scram-sha-256", `--pwfile=${path.join(dir, "pw")}`, "-E", "UTF8", "--no-sync"]);
    const port = await freePort();
    fs.appendFileSync(
        path.join(data, "postgresql.conf"),
        [
            "listen_addresses = 'localhost'",
            `port = ${port}`,
            `unix_socket_directories = '${dir}'`,
            "ssl = on",
            `ssl_cert_file = '${path.join(dir, "server.crt")}'`,
            `ssl_key_file = '${path.join(dir, "server.key")}'`,
            "password_encryption = 'scram-sha-256'",
            "fsync = off",
            "",
        ].join("\n"),
    );
    // TLS only over TCP, as rds.force_ssl=1 makes Aurora; the socket is for psql here.
    fs.writeFileSync(
        path.join(data, "pg_hba.conf"),
        ["local all all scram-sha-256", "hostssl all all localhost scram-sha-256", "hostnossl all all all reject", ""].join("\n"),
    );
    run("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "start"]);
    const stop = () => {
        try {
            run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };
    const psql = (sql: string, database = "postgres") =>
        run(
            "psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", superuser, "-d", database, "-c", sql],
            { PGPASSWORD: password },
        ).trim();
    return { host: "localhost", port, superuser, password, caFile: path.join(dir, "server.crt"), psql, stop };
}

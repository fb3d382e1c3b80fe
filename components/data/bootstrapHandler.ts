/**
 * The database bootstrap function's handler, as the CommonJS source the Lambda runs
 * (`InvokedFunction` takes source, with no bundling step). It reads the master credentials
 * from Secrets Manager, connects to the writer over TLS (verify-full against the CA bundle
 * named in the event) and runs the event's statements, then the migrations not yet recorded,
 * in one transaction: all or nothing, and a second run changes nothing.
 *
 * During a rotation of the master secret AWSCURRENT may be stale for a while: the login falls
 * back to AWSPENDING once (Secrets Manager's rotation steps createSecret, setSecret, testSecret,
 * finishSecret: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html).
 *
 * The PostgreSQL client is written out here (startup, SCRAM-SHA-256 or MD5, the simple
 * query protocol) because the Lambda runtime ships no driver; test/components/data/
 * bootstrapHandler.test.ts runs this very source against a real PostgreSQL server.
 */
export const BOOTSTRAP_HANDLER_SOURCE = String.raw`"use strict";
const net = require("node:net");
const tls = require("node:tls");
const crypto = require("node:crypto");
const fs = require("node:fs");

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;

function message(type, body) {
    const head = Buffer.alloc(type ? 5 : 4);
    if (type) head.write(type, 0, "latin1");
    head.writeInt32BE(body.length + 4, type ? 1 : 0);
    return Buffer.concat([head, body]);
}
const cstring = (s) => Buffer.from(s + "\0", "utf8");

function parseError(body) {
    const fields = {};
    let i = 0;
    while (i < body.length && body[i] !== 0) {
        const code = String.fromCharCode(body[i]);
        const end = body.indexOf(0, i + 1);
        fields[code] = body.toString("utf8", i + 1, end);
        i = end + 1;
    }
    const err = new Error((fields.M || "PostgreSQL error") + (fields.C ? " (SQLSTATE " + fields.C + ")" : ""));
    err.code = fields.C;
    return err;
}

class Connection {
    constructor(socket) {
        this.socket = socket;
        this.buf = Buffer.alloc(0);
        this.waiters = [];
        this.failure = null;
        socket.on("data", (d) => {
            this.buf = Buffer.concat([this.buf, d]);
            this.pump();
        });
        socket.on("error", (e) => this.fail(e));
        socket.on("close", () => this.fail(new Error("connection closed by the server")));
    }
    pump() {
        while (this.waiters.length && this.buf.length >= 5) {
            const len = this.buf.readInt32BE(1);
            if (this.buf.length < 1 + len) return;
            const type = String.fromCharCode(this.buf[0]);
            const body = this.buf.subarray(5, 1 + len);
            this.buf = this.buf.subarray(1 + len);
            this.waiters.shift().resolve({ type, body });
        }
    }
    fail(e) {
        if (!this.failure) this.failure = e;
        while (this.waiters.length) this.waiters.shift().reject(this.failure);
    }
    next() {
        return new Promise((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            this.waiters.push({ resolve, reject });
            this.pump();
        });
    }
    send(type, body) {
        this.socket.write(message(type, body));
    }

    async authenticate(user, password) {
        let scram;
        for (;;) {
            const m = await this.next();
            if (m.type === "E") throw parseError(m.body);
            if (m.type !== "R") throw new Error("unexpected message " + m.type + " during authentication");
            const code = m.body.readInt32BE(0);
            if (code === 0) break;
            if (code === 3) this.send("p", cstring(password));
            else if (code === 5) {
                const inner = crypto.createHash("md5").update(password + user).digest("hex");
                const outer = crypto.createHash("md5").update(inner).update(m.body.subarray(4, 8)).digest("hex");
                this.send("p", cstring("md5" + outer));
            } else if (code === 10) {
                const mechanisms = m.body.toString("utf8", 4).split("\0");
                if (!mechanisms.includes("SCRAM-SHA-256")) throw new Error("the server offers no SCRAM-SHA-256: " + mechanisms.join(" "));
                const nonce = crypto.randomBytes(18).toString("base64");
                scram = { nonce, firstBare: "n=,r=" + nonce };
                const first = Buffer.from("n,," + scram.firstBare, "utf8");
                const len = Buffer.alloc(4);
                len.writeInt32BE(first.length, 0);
                this.send("p", Buffer.concat([cstring("SCRAM-SHA-256"), len, first]));
            } else if (code === 11) {
                const serverFirst = m.body.toString("utf8", 4);
                const attrs = Object.fromEntries(serverFirst.split(",").map((kv) => [kv[0], kv.slice(2)]));
                if (!scram || !attrs.r || !attrs.r.startsWith(scram.nonce)) throw new Error("SCRAM: the server's nonce does not extend ours");
                const salted = crypto.pbkdf2Sync(password, Buffer.from(attrs.s, "base64"), Number(attrs.i), 32, "sha256");
                const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();
                const clientKey = hmac(salted, "Client Key");
                const storedKey = crypto.createHash("sha256").update(clientKey).digest();
                const finalBare = "c=biws,r=" + attrs.r;
                const auth = scram.firstBare + "," + serverFirst + "," + finalBare;
                const signature = hmac(storedKey, auth);
                const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
                scram.serverSignature = hmac(hmac(salted, "Server Key"), auth).toString("base64");
                this.send("p", Buffer.from(finalBare + ",p=" + proof.toString("base64"), "utf8"));
            } else if (code === 12) {
                const v = m.body.toString("utf8", 4);
                if (!scram || v !== "v=" + scram.serverSignature) throw new Error("SCRAM: the server's signature does not match");
            } else throw new Error("unsupported authentication request " + code);
        }
        for (;;) {
            const m = await this.next();
            if (m.type === "E") throw parseError(m.body);
            if (m.type === "Z") return;
        }
    }

    /** One simple-protocol query: its rows (text values by column name); rejects on the server's error. */
    async query(sql) {
        this.send("Q", cstring(sql));
        let columns = [];
        const rows = [];
        let error = null;
        for (;;) {
            const m = await this.next();
            if (m.type === "T") {
                columns = [];
                let i = 2;
                for (let n = m.body.readInt16BE(0); n > 0; n--) {
                    const end = m.body.indexOf(0, i);
                    columns.push(m.body.toString("utf8", i, end));
                    i = end + 1 + 18;
                }
            } else if (m.type === "D") {
                const row = {};
                let i = 2;
                for (let c = 0, n = m.body.readInt16BE(0); c < n; c++) {
                    const len = m.body.readInt32BE(i);
                    i += 4;
                    row[columns[c]] = len < 0 ? null : m.body.toString("utf8", i, i + len);
                    if (len > 0) i += len;
                }
                rows.push(row);
            } else if (m.type === "E") error = parseError(m.body);
            else if (m.type === "Z") {
                if (error) throw error;
                return rows;
            }
        }
    }

    end() {
        try {
            this.socket.end(message("X", Buffer.alloc(0)));
        } catch {
            /* already closed */
        }
    }
}

function openSocket(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        const timer = setTimeout(() => socket.destroy(new Error("no connection to " + host + ":" + port + " within " + timeoutMs + " ms")), timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            resolve(socket);
        });
        socket.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/** Opens an authenticated connection. With ssl (the default) the server must accept TLS and its certificate must verify against ca for host. */
async function connect(opts) {
    const timeoutMs = opts.timeoutMs || 10000;
    let socket = await openSocket(opts.host, opts.port, timeoutMs);
    if (opts.ssl !== false) {
        const request = Buffer.alloc(8);
        request.writeInt32BE(8, 0);
        request.writeInt32BE(SSL_REQUEST, 4);
        socket.write(request);
        const answer = await new Promise((resolve, reject) => {
            socket.once("data", (d) => resolve(String.fromCharCode(d[0])));
            socket.once("error", reject);
        });
        if (answer !== "S") {
            socket.destroy();
            throw new Error("the server at " + opts.host + ":" + opts.port + " refused TLS");
        }
        socket = await new Promise((resolve, reject) => {
            const secure = tls.connect({ socket, servername: opts.host, ca: opts.ca, rejectUnauthorized: true });
            secure.once("secureConnect", () => resolve(secure));
            secure.once("error", reject);
        });
    }
    const conn = new Connection(socket);
    const params = ["user", opts.user, "database", opts.database, "application_name", "platform-bootstrap", "client_encoding", "UTF8"];
    const version = Buffer.alloc(4);
    version.writeInt32BE(PROTOCOL_3, 0);
    socket.write(message(null, Buffer.concat([version, ...params.map(cstring), Buffer.from([0])])));
    try {
        await conn.authenticate(opts.user, opts.password);
    } catch (e) {
        conn.end();
        throw e;
    }
    return conn;
}

const literal = (s) => "'" + String(s).replace(/'/g, "''") + "'";

/**
 * Logs in as the master user with the secret's AWSCURRENT value. When PostgreSQL refuses that
 * password (SQLSTATE 28P01), a rotation is under way or has just ended: it tries AWSCURRENT read
 * again (a rotation that finished after the first read: AWSCURRENT has moved, and AWSPENDING may
 * label no version any more), then AWSPENDING (a rotation between its setSecret step, the
 * database already on the pending password, and its finishSecret step, which moves AWSCURRENT;
 * or one that failed in between), then AWSPREVIOUS (a secret version written with a stale
 * password, data review F12: the database is on the one before; AWS's own single-user rotation
 * function tries it too), each once and only if it is a password not yet tried. Nothing else is
 * retried.
 */
async function login(event, deps) {
    const opts = {
        host: event.host,
        port: event.port,
        database: event.database,
        ssl: event.ssl,
        ca: event.caFile ? fs.readFileSync(event.caFile) : undefined,
        timeoutMs: event.timeoutMs,
    };
    const current = await deps.credentials("AWSCURRENT");
    try {
        return { conn: await connect({ ...opts, user: current.username, password: current.password }), stage: "AWSCURRENT" };
    } catch (e) {
        if (e.code !== "28P01") throw e;
        const tried = [current.password];
        const refusals = ["AWSCURRENT (" + e.message + ")"];
        let last = e;
        for (const [stage, label] of [["AWSCURRENT", "AWSCURRENT read again"], ["AWSPENDING", "AWSPENDING"], ["AWSPREVIOUS", "AWSPREVIOUS"]]) {
            const candidate = await deps.credentials(stage);
            if (!candidate || tried.includes(candidate.password)) continue;
            tried.push(candidate.password);
            try {
                return { conn: await connect({ ...opts, user: candidate.username, password: candidate.password }), stage: label };
            } catch (e2) {
                if (e2.code !== "28P01") throw e2;
                refusals.push(label + " (" + e2.message + ")");
                last = e2;
            }
        }
        // No rotation under way (nothing else to try): the refusal stands.
        if (refusals.length === 1) throw e;
        const err = new Error("the database refused the master secret's " + refusals.join(", ") + " values");
        err.code = last.code;
        throw err;
    }
}

/**
 * event: { host, port, database, statements: [sql], migrations: [{ id, sql }], migrationsTable,
 * secretArn, secretRegion, caFile, ssl }. deps.credentials(stage) gives { username, password } of
 * the master secret's version labelled stage, or null when no version has that label.
 */
async function run(event, deps) {
    const { conn, stage } = await login(event, deps);
    const applied = [];
    try {
        await conn.query("BEGIN");
        for (const sql of event.statements || []) await conn.query(sql);
        for (const m of event.migrations || []) {
            const done = await conn.query("SELECT 1 AS done FROM " + event.migrationsTable + " WHERE id = " + literal(m.id));
            if (done.length) continue;
            await conn.query(m.sql);
            await conn.query("INSERT INTO " + event.migrationsTable + " (id) VALUES (" + literal(m.id) + ")");
            applied.push(m.id);
        }
        await conn.query("COMMIT");
    } catch (e) {
        await conn.query("ROLLBACK").catch(() => undefined);
        throw e;
    } finally {
        conn.end();
    }
    return { statements: (event.statements || []).length, migrationsApplied: applied, login: stage };
}

/** The master secret's version labelled stage (GetSecretValue VersionStage), or null when none has that label. */
async function masterCredentials(event, stage) {
    const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
    const client = new SecretsManagerClient({ region: event.secretRegion });
    let out;
    try {
        out = await client.send(new GetSecretValueCommand({ SecretId: event.secretArn, VersionStage: stage }));
    } catch (e) {
        if (stage !== "AWSCURRENT" && e.name === "ResourceNotFoundException") return null;
        throw e;
    }
    // A failed rotation may leave AWSPENDING on a version with no value (RotateSecret, API reference).
    if (!out.SecretString) return null;
    const secret = JSON.parse(out.SecretString);
    return { username: secret.username, password: secret.password };
}

exports.connect = connect;
exports.run = run;
exports.handler = async (event) => run(event, { credentials: (stage) => masterCredentials(event, stage) });
`;

/**
 * The bootstrap function's very source, run against a real PostgreSQL server (TLS,
 * SCRAM-SHA-256) with the statements the program declares: the app's role and grants,
 * migrations once, all or nothing, and a second run that changes nothing.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BOOTSTRAP_HANDLER_SOURCE } from "../../../components/data/bootstrapHandler";
import { type BootstrapSql, type Migration, bootstrapEvent } from "../../../components/data/databaseBootstrap";
import { type Postgres, startPostgres } from "../../support/postgresTls";

interface Conn {
    query(sql: string): Promise<Record<string, string | null>[]>;
    end(): void;
}
interface Handler {
    connect(opts: Record<string, unknown>): Promise<Conn>;
    run(
        event: Record<string, unknown>,
        deps: { credentials: (stage: string) => Promise<{ username: string; password: string } | null> },
    ): Promise<{ statements: number; migrationsApplied: string[]; login: string }>;
}

const SQL: BootstrapSql = { appUser: "app", owner: "platform_admin", database: "platform", schema: "app" };
const MIGRATIONS: Migration[] = [
    { id: "0001-reviews", sql: "CREATE TABLE app.reviews (id bigserial PRIMARY KEY, body text NOT NULL)" },
    { id: "0002-sessions", sql: "CREATE TABLE app.sessions (id text PRIMARY KEY, revoked boolean NOT NULL DEFAULT false)" },
];

describe("database bootstrap handler against PostgreSQL", function () {
    this.timeout(120_000);
    let pg: Postgres;
    let handler: Handler;
    let dir: string;
    const event = (sql: BootstrapSql = SQL, migrations: Migration[] = MIGRATIONS) => ({
        ...bootstrapEvent(sql, { host: pg.host, port: pg.port, secretArn: "unused", secretRegion: "us-east-1" }, migrations),
        caFile: pg.caFile,
    });
    // Aurora's master user is no superuser: rds_superuser gives it CREATEROLE and CREATEDB, the
    // rds_iam role to grant, and the database it created. The handler runs as such a role here.
    const MASTER_PASSWORD = "master-test-only";
    const master = () => Promise.resolve({ username: SQL.owner, password: MASTER_PASSWORD });

    before(async () => {
        pg = await startPostgres("test_superuser");
        // What Aurora has and a plain server lacks: the rds_iam role, the master user and the application database.
        pg.psql("CREATE ROLE rds_iam NOLOGIN");
        pg.psql(`CREATE ROLE ${SQL.owner} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER_PASSWORD}'`);
        pg.psql(`GRANT rds_iam TO ${SQL.owner} WITH ADMIN OPTION`);
        pg.psql(`CREATE DATABASE platform OWNER ${SQL.owner}`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
        fs.writeFileSync(path.join(dir, "index.js"), BOOTSTRAP_HANDLER_SOURCE);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handler = require(path.join(dir, "index.js")) as Handler;
    });
    after(() => {
        pg?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("creates the app's IAM-only role, its grants and the migrations on the first run", async () => {
        const out = await handler.run(event(), { credentials: master });
        assert.deepEqual(out.migrationsApplied, ["0001-reviews", "0002-sessions"]);
        assert.equal(out.login, "AWSCURRENT");
        assert.equal(
            pg.psql(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolpassword IS NULL, pg_has_role('app', 'rds_iam', 'member') FROM pg_authid WHERE rolname = 'app'",
            ),
            "t|f|f|f|t|t",
        );
        assert.equal(
            pg.psql(
                "SELECT has_database_privilege('app', 'platform', 'CONNECT'), has_schema_privilege('app', 'app', 'USAGE'), has_schema_privilege('app', 'app', 'CREATE'), has_schema_privilege('app', 'public', 'CREATE')",
                "platform",
            ),
            "t|t|f|f",
        );
        // Tables a migration created afterwards are the app's to read and write (default privileges), not to alter.
        assert.equal(
            pg.psql(
                "SELECT has_table_privilege('app', 'app.reviews', 'INSERT'), has_table_privilege('app', 'app.reviews', 'DELETE'), has_table_privilege('app', 'app.reviews', 'TRUNCATE'), has_sequence_privilege('app', 'app.reviews_id_seq', 'USAGE'), has_table_privilege('app', 'app.schema_migrations', 'SELECT')",
                "platform",
            ),
            "t|t|f|t|f",
        );
        assert.equal(
            pg.psql("SELECT string_agg(id, ',' ORDER BY id) FROM app.schema_migrations", "platform"),
            "0001-reviews,0002-sessions",
        );
    });

    it("changes nothing on a second run, and applies only a new migration", async () => {
        const again = await handler.run(event(), { credentials: master });
        assert.deepEqual(again.migrationsApplied, []);
        const added = [...MIGRATIONS, { id: "0003-index", sql: "CREATE INDEX reviews_body ON app.reviews (body)" }];
        assert.deepEqual((await handler.run(event(SQL, added), { credentials: master })).migrationsApplied, ["0003-index"]);
        assert.equal(pg.psql("SELECT count(*) FROM pg_authid WHERE rolname = 'app'"), "1");
    });

    it("lets the app, logged in over TLS, write rows in its schema but change no schema", async () => {
        // Test only: a password stands in for the IAM token RDS would accept through rds_iam.
        pg.psql("ALTER ROLE app PASSWORD 'app-test-only'");
        const conn = await handler.connect({
            host: pg.host,
            port: pg.port,
            database: "platform",
            user: "app",
            password: "app-test-only",
            ca: fs.readFileSync(pg.caFile),
        });
        try {
            assert.deepEqual(await conn.query("INSERT INTO reviews (body) VALUES ('first') RETURNING body"), [{ body: "first" }]);
            await assert.rejects(conn.query("CREATE TABLE app.mine (id int)"), /permission denied for schema app \(SQLSTATE 42501\)/);
            await assert.rejects(conn.query("CREATE TABLE public.mine (id int)"), /permission denied for schema public \(SQLSTATE 42501\)/);
            await assert.rejects(
                conn.query("DELETE FROM schema_migrations"),
                /permission denied for table schema_migrations \(SQLSTATE 42501\)/,
            );
        } finally {
            conn.end();
            pg.psql("ALTER ROLE app PASSWORD NULL");
        }
    });

    it("rolls everything back when a migration fails", async () => {
        pg.psql("CREATE DATABASE fresh OWNER platform_admin");
        const bad = [MIGRATIONS[0], { id: "0002-broken", sql: "CREATE TABLE app.nope (id no_such_type)" }];
        await assert.rejects(
            handler.run(event({ ...SQL, database: "fresh" }, bad), { credentials: master }),
            /type "no_such_type" does not exist/,
        );
        assert.equal(pg.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'", "fresh"), "0");
    });

    describe("during a rotation of the master secret", () => {
        // Rotation's setSecret has set the pending password in the database; finishSecret has not
        // yet moved AWSCURRENT to it (or the rotation failed in between): AWSCURRENT is stale.
        const PENDING = "pending-test-only";
        /** AWSCURRENT reads `currents` in turn (the last one from then on), AWSPENDING `pending`, AWSPREVIOUS `previous`. */
        const rotating = (pending: string | null, currents: string[] = [MASTER_PASSWORD], previous: string | null = null) => {
            const asked: string[] = [];
            const credentials = (stage: string) => {
                asked.push(stage);
                if (stage === "AWSCURRENT")
                    return Promise.resolve({
                        username: SQL.owner,
                        password: currents[Math.min(asked.filter((s) => s === stage).length, currents.length) - 1]!,
                    });
                if (stage === "AWSPENDING") return Promise.resolve(pending === null ? null : { username: SQL.owner, password: pending });
                if (stage === "AWSPREVIOUS") return Promise.resolve(previous === null ? null : { username: SQL.owner, password: previous });
                return Promise.reject(new Error(`unexpected stage ${stage}`));
            };
            return { asked, credentials };
        };
        before(() => pg.psql(`ALTER ROLE ${SQL.owner} PASSWORD '${PENDING}'`));
        after(() => pg.psql(`ALTER ROLE ${SQL.owner} PASSWORD '${MASTER_PASSWORD}'`));

        it("logs in with AWSPENDING once AWSCURRENT is refused, and runs as usual", async () => {
            const deps = rotating(PENDING);
            const added = [...MIGRATIONS, { id: "0004-during-rotation", sql: "CREATE TABLE app.rotated (id int)" }];
            const out = await handler.run(event(SQL, added), deps);
            assert.deepEqual([out.login, out.migrationsApplied], ["AWSPENDING", ["0004-during-rotation"]]);
            // AWSCURRENT read again gives the same stale value: not tried twice.
            assert.deepEqual(deps.asked, ["AWSCURRENT", "AWSCURRENT", "AWSPENDING"]);
            assert.equal(pg.psql("SELECT count(*) FROM app.schema_migrations WHERE id = '0004-during-rotation'", "platform"), "1");
        });

        it("logs in with AWSCURRENT read again when the rotation finished after the first read (AWSPENDING then labels nothing)", async () => {
            const deps = rotating(null, [MASTER_PASSWORD, PENDING]);
            const out = await handler.run(event(SQL, MIGRATIONS), deps);
            assert.equal(out.login, "AWSCURRENT read again");
            assert.deepEqual(deps.asked, ["AWSCURRENT", "AWSCURRENT"], "AWSPENDING and AWSPREVIOUS not needed");
        });

        it("logs in with AWSPREVIOUS when the current version holds a stale password and no rotation is pending (data review F12)", async () => {
            const deps = rotating(null, [MASTER_PASSWORD], PENDING);
            const out = await handler.run(event(SQL, MIGRATIONS), deps);
            assert.equal(out.login, "AWSPREVIOUS");
            assert.deepEqual(deps.asked, ["AWSCURRENT", "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"]);
        });

        it("keeps the refusal when no rotation is pending, and says so when the pending value fails too", async () => {
            await assert.rejects(
                handler.run(event(), rotating(null)),
                /^Error: password authentication failed for user "platform_admin" \(SQLSTATE 28P01\)$/,
            );
            await assert.rejects(
                handler.run(event(), rotating("also-wrong")),
                /refused the master secret's AWSCURRENT \(password authentication failed for user "platform_admin" \(SQLSTATE 28P01\)\), AWSPENDING \(password authentication failed/,
            );
        });
    });

    it("refuses a server whose certificate does not verify, and a wrong password", async () => {
        const otherCa = path.join(dir, "other.crt");
        fs.writeFileSync(
            otherCa,
            fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "test", "fixtures", "self-signed-other.crt")),
        );
        await assert.rejects(
            handler.run({ ...event(), caFile: otherCa }, { credentials: master }),
            /self[- ]signed certificate|unable to verify/,
        );
        await assert.rejects(
            handler.run(event(), { credentials: () => Promise.resolve({ username: SQL.owner, password: "wrong" }) }),
            /password authentication failed for user "platform_admin" \(SQLSTATE 28P01\)/,
        );
    });
});

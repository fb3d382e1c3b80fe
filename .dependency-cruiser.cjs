/**
 * The layers, checked in `npm test` (docs: README "Layout"). Data flows one way:
 * config/ parses, regions/ derives (the model), stack/ and index.ts wire, components/ declare.
 */
/** The rule `name`: no module whose path matches `from` may import one whose path matches `to`. */
const layer = (name, from, to, comment) => ({ name, severity: "error", comment, from: { path: from }, to: { path: to } });

module.exports = {
    forbidden: [
        { name: "no-circular", severity: "error", comment: "No import cycle, type-only edges included.", from: {}, to: { circular: true } },
        layer(
            "model-is-pure",
            "^regions/",
            "^(config|components|plan|tools|stack|policy|bench|test)/|^index\\.ts$|^node_modules/@pulumi/",
            "The model (regions/) imports only itself: no config schema, no Pulumi, no components, plan, tools or stack.",
        ),
        layer(
            "config-parses-only",
            "^config/",
            "^(components|plan|tools|stack|policy|bench|test)/|^index\\.ts$",
            "The stack-config contract reads the model's facts, never components, the wiring, plan or tools.",
        ),
        layer(
            "components-take-their-own-args",
            "^components/",
            "^(config|stack|plan|tools|policy|bench|test)/|^index\\.ts$",
            "Components never read the config schema or the wiring, and never import plan, tools or the policy pack.",
        ),
        layer(
            "plan-does-not-run-tools",
            "^plan/",
            "^(tools|bench|test)/",
            "The offline plan never runs the QA tools, the bench or the tests.",
        ),
        layer(
            "tools-need-no-pulumi-program",
            "^tools/",
            "^(components|bench|test)/|^index\\.ts$",
            "The QA tools read the stack through stack/ and the model; they never load components.",
        ),
        layer(
            "policy-pack-stands-alone",
            "^policy/",
            "^(config|components|plan|tools|stack|bench|test)/|^index\\.ts$|^regions/(?!catalog\\.ts$)",
            "The pack reads the region catalog only; it never loads the program or the offline plan.",
        ),
        layer(
            "stack-wires-only",
            "^stack/",
            "^(plan|tools|policy|bench|test)/|^index\\.ts$",
            "The wiring reads config, the model and the components' args; never the plan, the tools or the pack.",
        ),
        {
            name: "tools-load-no-pulumi-sdk",
            severity: "error",
            comment: "The QA tools start in a fraction of a second: nothing they import may reach the Pulumi SDKs.",
            from: { path: "^tools/" },
            to: { path: "^node_modules/@pulumi/", reachable: true },
        },
        {
            name: "load-generators-only-in-their-stack",
            severity: "error",
            comment:
                "The load-generator component is wired only by loadgen/ (its own, optional Pulumi project): no platform stack can declare it.",
            from: { pathNot: "^(loadgen|test)/" },
            to: { path: "^components/loadtest/" },
        },
        {
            name: "nothing-imports-a-cli",
            severity: "error",
            from: { pathNot: "^test/" },
            to: { path: "^(plan/cli|tools/drill/main|tools/loadtest)\\.ts$" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        // node_modules are leaves (not followed), so that a rule can forbid reaching one.
        exclude: { path: "^\\.build/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
    },
};

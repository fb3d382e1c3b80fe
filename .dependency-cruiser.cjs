/**
 * The layers, checked in `npm test` (docs: README "Layout"). Data flows one way:
 * config/ parses, regions/ derives (the model), stack/ and index.ts wire, components/ declare.
 */
module.exports = {
    forbidden: [
        { name: "no-circular", severity: "error", comment: "No import cycle, type-only edges included.", from: {}, to: { circular: true } },
        {
            name: "model-is-pure",
            severity: "error",
            comment: "The model (regions/) imports only itself: no config schema, no Pulumi, no components, plan, tools or stack.",
            from: { path: "^regions/" },
            to: { path: "^(config|components|plan|tools|stack|policy|bench|test)/|^index\\.ts$|^node_modules/@pulumi/" },
        },
        {
            name: "config-parses-only",
            severity: "error",
            comment: "The stack-config contract reads the model's facts, never components, the wiring, plan or tools.",
            from: { path: "^config/" },
            to: { path: "^(components|plan|tools|stack|policy|bench|test)/|^index\\.ts$" },
        },
        {
            name: "components-take-their-own-args",
            severity: "error",
            comment: "Components never read the config schema or the wiring, and never import plan, tools or the policy pack.",
            from: { path: "^components/" },
            to: { path: "^(config|stack|plan|tools|policy|bench|test)/|^index\\.ts$" },
        },
        { name: "plan-does-not-run-tools", severity: "error", from: { path: "^plan/" }, to: { path: "^(tools|bench|test)/" } },
        {
            name: "tools-need-no-pulumi-program",
            severity: "error",
            comment: "The QA tools read the stack through stack/ and the model; they never load components.",
            from: { path: "^tools/" },
            to: { path: "^(components|bench|test)/|^index\\.ts$" },
        },
        {
            name: "policy-pack-stands-alone",
            severity: "error",
            comment: "The pack reads the region catalog only; it never loads the program or the offline plan.",
            from: { path: "^policy/" },
            to: { path: "^(config|components|plan|tools|stack|bench|test)/|^index\\.ts$" },
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
        exclude: { path: "^(node_modules|\\.build)/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
    },
};

// Lint rules of the project: typescript-eslint's recommended set, imports in one order, and
// nothing that prettier already decides (formatting is prettier's, run beside eslint in `npm test`).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", ".build/", "**/*.js"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        plugins: { "import-x": importX },
        rules: {
            "import-x/order": [
                "error",
                {
                    groups: ["builtin", "external", ["parent", "sibling", "index"]],
                    "newlines-between": "never",
                    alphabetize: { order: "asc", caseInsensitive: true },
                },
            ],
            "import-x/no-duplicates": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
            eqeqeq: ["error", "always"],
            "max-len": [
                "error",
                { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
            ],
        },
    },
    { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
    // Tests walk the deep JSON of recorded inputs; typing every level would say nothing.
    { files: ["test/**/*.ts"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
    prettier,
);

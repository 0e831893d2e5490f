import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * Imports flow one way: lib → components → app. lib never imports components or app; components never
 * import app; nothing in the app imports the local stack (stack/), and stack/ never imports the app.
 */
const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", ".stack/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "import/no-cycle": "error",
      "import/no-default-export": "off",
      "@typescript-eslint/no-explicit-any": "error",
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: "./lib", from: "./components", message: "lib must not import components" },
            { target: "./lib", from: "./app", message: "lib must not import app" },
            { target: "./components", from: "./app", message: "components must not import app" },
            { target: ["./app", "./components", "./lib", "./middleware.ts"], from: "./stack", message: "the app never imports the local stack" },
            { target: "./stack", from: ["./app", "./components", "./lib", "./middleware.ts"], message: "the local stack never imports the app" },
            { target: "./lib/auth", from: ["./lib/admin", "./lib/account"], message: "features do not import each other's internals" },
            { target: "./lib/account", from: ["./lib/admin"], message: "features do not import each other's internals" },
            { target: "./lib/admin", from: ["./lib/account"], message: "features do not import each other's internals" },
          ],
        },
      ],
    },
  },
  {
    // The contract harness walks arbitrary recorded JSON of the transcripts.
    files: ["stack/auth/contract/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
];

export default config;

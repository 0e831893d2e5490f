import { run, projectPath } from "./run.ts";

// `npm run dev`: the local stack (started only if it is not running), then the app in development mode.
process.env.PATH = projectPath();
const stack = await run(process.execPath, ["stack/cli.ts", "start"]);
if (stack !== 0) process.exit(stack);
console.log("\nApp: http://localhost:3000  (sign in at http://localhost:3000/login)\n");
process.exit(await run(process.execPath, ["node_modules/next/dist/bin/next", "dev", "-p", "3000"]));

/**
 * Runs once when the server starts: validate the environment so a missing or malformed variable stops the
 * app at start with a message naming it, instead of failing on the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getConfig } = await import("./lib/config");
  getConfig();
  const { getServerConfig } = await import("./lib/server-config");
  getServerConfig();
}

import { z } from "zod";

/** The input of Export my data, shared by the page (client) and the route handler (server): nothing to choose. */
export const exportDataInput = z.strictObject(
  {},
  {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return `Unknown field${(issue.keys?.length ?? 0) > 1 ? "s" : ""}: ${issue.keys?.join(", ")}`;
      if (issue.code === "invalid_type") return "Send a JSON object";
      return undefined;
    },
  },
);

/** The version of the export document's schema (docs/export-schema.md). */
export const EXPORT_SCHEMA_VERSION = 1;

/** The limit private.begin_data_export() applies: at most this many exports in any hour. */
export const EXPORTS_PER_HOUR = 3;

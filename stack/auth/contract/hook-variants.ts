/**
 * Transcripts that replace the body of the recording's hook function (`public.custom_access_token_hook(jsonb)`)
 * for one request at a time. Each such step's note reads "while the hook function's body is: <body>"; the
 * table below names the same body for the step explicitly, and `hookBodyFor` refuses to go on when the two
 * disagree, so an edited transcript cannot silently replay against the wrong function. Steps that are not
 * listed run with the recording's hook.
 */
export const HOOK_BODIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "19-hook-errors.json": {
    "the hook raises with its own message: refresh": "begin raise exception 'not today' using errcode = 'P0001'; end",
    "the hook drops sub: refresh": "begin return jsonb_set(event, '{claims}', (event->'claims') - 'sub'); end",
    "the hook returns iat as a string: refresh": "begin return jsonb_set(event, '{claims,iat}', to_jsonb('now'::text)); end",
    "the hook returns an error object (http_code 403): refresh":
      "begin return jsonb_build_object('error', jsonb_build_object('http_code', 403, 'message', 'Not allowed here')); end",
    "the hook returns a JSON array: refresh": "begin return '[]'::jsonb; end",
    "the hook adds a claim with a nested array: refresh":
      `begin return jsonb_set(event, '{claims,groups}', '["a", {"b": 1}]'); end`,
  },
};

export const BODY_NOTE = "while the hook function's body is: ";

/**
 * The hook body a step of `file` runs with: a body from HOOK_BODIES, `null` for the recording's hook, or
 * `undefined` when the file never replaces the hook.
 */
export function hookBodyFor(file: string, step: { step: string; note?: string }): string | null | undefined {
  const bodies = HOOK_BODIES[file];
  if (!bodies) return undefined;
  const body = Object.hasOwn(bodies, step.step) ? (bodies[step.step] as string) : null;
  const noted = step.note?.startsWith(BODY_NOTE) ? step.note.slice(BODY_NOTE.length) : null;
  if (body !== noted) {
    throw new Error(
      `step "${step.step}": the hook body table says ${JSON.stringify(body)}, the note says ${JSON.stringify(noted)}`,
    );
  }
  return body;
}

/** Replaces the hook's body; name, argument, result type, volatility, owner and grants stay the recording's. */
export function hookVariantSql(body: string): string {
  if (body.includes("$hook_body$")) throw new Error("a hook body cannot contain the $hook_body$ delimiter");
  return `create or replace function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
as $hook_body$ ${body} $hook_body$`;
}

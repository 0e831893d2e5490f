import { AuthError } from "./errors.ts";
import { goJsonSyntaxError } from "./go-json-syntax.ts";
import { goJsonError, type Ctx } from "./http.ts";

// Supabase Auth is written in Go; the messages of its validation errors quote Go's standard library word for
// word (encoding/json, strconv, time, gofrs/uuid). These helpers reproduce those messages.

/** Go's strconv.Quote (the `%q` verb) for the characters request values contain. */
export function goStrconvQuote(s: string): string {
  const named: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The `quote` of Go's time package: bytes outside printable ASCII become `\xNN`. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(ch, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    } else {
      if (ch === '"' || ch === "\\") out += "\\";
      out += ch;
    }
  }
  return `${out}"`;
}

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const TWO_POW_63 = 1n << 63n;
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * Go's time.ParseDuration: a sequence of decimal numbers with a unit each ("24h", "1h30m", "1.5s", "-90m").
 * Returns nanoseconds; throws an Error with Go's message (`time: invalid duration "forever"`).
 */
export function parseGoDuration(input: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${timeQuote(input)}`);
  let s = input;
  let negative = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
    let i = 0;
    while (isDigit(s[i])) i++;
    let value = i > 0 ? BigInt(s.slice(0, i)) : 0n;
    if (value > TWO_POW_63) throw invalid();
    const hadInteger = i > 0;
    s = s.slice(i);
    let fraction = 0n;
    let scale = 1;
    let hadFraction = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigit(s[j])) {
        const digit = BigInt((s[j] as string).charCodeAt(0) - 48);
        j++;
        if (overflow) continue;
        if (fraction > (TWO_POW_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + digit;
        if (next > TWO_POW_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hadFraction = j > 0;
      s = s.slice(j);
    }
    if (!hadInteger && !hadFraction) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== "." && !isDigit(s[k])) k++;
    if (k === 0) throw new Error(`time: missing unit in duration ${timeQuote(input)}`);
    const unitName = s.slice(0, k);
    s = s.slice(k);
    const unit = NANOS_PER_UNIT[unitName];
    if (unit === undefined) {
      throw new Error(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(input)}`);
    }
    if (value > TWO_POW_63 / unit) throw invalid();
    value *= unit;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_POW_63) throw invalid();
    }
    total += value;
    if (total > TWO_POW_63) throw invalid();
  }
  if (negative) return -total;
  if (total > TWO_POW_63 - 1n) throw invalid();
  return total;
}

const HEX = /^[0-9a-f]+$/i;

function canonicalUuid(hex32: string): string {
  const h = hex32.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * gofrs/uuid's FromString / UnmarshalText: canonical, 32 hex digits, `{braced}` and `urn:uuid:` forms.
 * Returns the canonical lower-case form, or throws an Error with the library's message.
 */
export function parseGoUuid(text: string): string {
  const len = Buffer.byteLength(text, "utf8");
  const badFormat = () => new Error(`uuid: incorrect UUID format in string ${goStrconvQuote(text)}`);
  const canonical = (t: string) => {
    if (t[8] !== "-" || t[13] !== "-" || t[18] !== "-" || t[23] !== "-") throw badFormat();
    const hex = t.replaceAll("-", "");
    if (hex.length !== 32 || !HEX.test(hex)) throw badFormat();
    return canonicalUuid(hex);
  };
  switch (len) {
    case 32:
      if (!HEX.test(text)) throw badFormat();
      return canonicalUuid(text);
    case 36:
      return canonical(text);
    case 38:
      if (text[0] !== "{" || text[37] !== "}") throw badFormat();
      return canonical(text.slice(1, 37));
    case 41:
    case 45: {
      if (!text.toLowerCase().startsWith("urn:uuid:")) throw badFormat();
      const rest = text.slice(9);
      if (rest.length === 36) return canonical(rest);
      if (rest.length === 32 && HEX.test(rest)) return canonicalUuid(rest);
      throw badFormat();
    }
    default:
      throw new Error(`uuid: incorrect UUID length ${len} in string ${goStrconvQuote(text)}`);
  }
}

export const NIL_UUID_TEXT = "00000000-0000-0000-0000-000000000000";

/** How a Go request struct declares a field; see `decodeGoParams`. */
export type GoFieldType = "string" | "*string" | "bool" | "map" | "uuid" | "struct";

export type GoStruct = { name: string; fields: Record<string, GoFieldType> };

const GO_TYPE_NAMES: Record<GoFieldType, string> = {
  string: "string",
  "*string": "string",
  bool: "bool",
  map: "map[string]interface {}",
  uuid: "uuid.UUID",
  struct: "struct",
};

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

const badJson = (message: string) => new AuthError(400, "bad_json", `Could not parse request body as JSON: ${message}`);

/**
 * Decodes a request body the way Supabase Auth's `json.Unmarshal` into a params struct does: an empty body is
 * an error, `null` is an empty struct, keys match field tags case-insensitively, unknown keys are ignored and
 * a value of the wrong JSON type fails with Go's message. Absent fields get Go's zero values (`*string` and
 * maps: null; uuid: the nil uuid).
 */
export async function decodeGoParams(ctx: Ctx, spec: GoStruct): Promise<Record<string, unknown>> {
  const raw = await ctx.text();
  // Go checks the whole document's syntax first (nesting depth included), so a syntax error anywhere wins.
  const syntax = goJsonSyntaxError(raw);
  if (syntax !== null) throw badJson(syntax);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badJson(goJsonError(raw));
  }
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(spec.fields)) {
    out[field] = type === "string" ? "" : type === "bool" ? false : type === "uuid" ? NIL_UUID_TEXT : null;
  }
  if (parsed === null) return out;
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badJson(`json: cannot unmarshal ${jsonKind(parsed)} into Go value of type api.${spec.name}`);
  }
  const tags = Object.keys(spec.fields);
  let firstError: string | null = null;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = tags.includes(key) ? key : tags.find((t) => t.toLowerCase() === key.toLowerCase());
    if (field === undefined || value === null) {
      if (field !== undefined && (spec.fields[field] === "*string" || spec.fields[field] === "map" || spec.fields[field] === "struct")) {
        out[field] = null;
      }
      continue;
    }
    const type = spec.fields[field] as GoFieldType;
    const mismatch = () => {
      firstError ??= `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${spec.name}.${field} of type ${GO_TYPE_NAMES[type]}`;
    };
    switch (type) {
      case "string":
      case "*string":
        if (typeof value === "string") out[field] = value;
        else mismatch();
        break;
      case "bool":
        if (typeof value === "boolean") out[field] = value;
        else mismatch();
        break;
      case "map":
      case "struct":
        if (typeof value === "object" && !Array.isArray(value)) out[field] = value;
        else mismatch();
        break;
      case "uuid":
        if (typeof value !== "string") {
          mismatch();
          break;
        }
        try {
          out[field] = parseGoUuid(value);
        } catch (error) {
          // A TextUnmarshaler's own error ends decoding at once and is reported as it is.
          throw badJson((error as Error).message);
        }
        break;
    }
  }
  if (firstError !== null) throw badJson(firstError);
  return out;
}

/**
 * The syntax check Go's `encoding/json` runs over the whole input before `json.Unmarshal` decodes anything,
 * with the text of the `*json.SyntaxError` it returns. A syntax error anywhere in the input therefore wins
 * over any type error a decode would report.
 *
 * The input is scanned byte by byte as UTF-8, like Go does: the offending character of a message is one byte,
 * which Go prints as the rune of that byte's value (the first byte of `é`, 0xC3, prints as `'Ã'`).
 */

/** Containers deeper than this fail with `exceeded max depth`. */
const MAX_DEPTH = 10000;

/** What the innermost open container expects after its next complete value. */
type Frame =
  /** An object whose current member's key is being (or was just) read: next is `:`. */
  | "objectKey"
  /** An object whose current member's value is being (or was just) read: next is `,` or `}`. */
  | "objectValue"
  /** An array: next is `,` or `]`. */
  | "array";

type State =
  /** Before a value (also after `:` and after `,` in an array). */
  | "value"
  /** Right after `[`: a value or `]`. */
  | "valueOrClose"
  /** After `,` in an object: a key string. */
  | "key"
  /** Right after `{`: a key string or `}`. */
  | "keyOrClose"
  /** After a complete value inside a container, or at the top before its end is known. */
  | "afterValue"
  /** After the complete top-level value: only whitespace may follow. */
  | "done"
  | "string"
  /** After a backslash in a string. */
  | "escape"
  /** Inside the four hex digits of `\u` (`hexLeft` to go). */
  | "hex"
  /** After a leading `-`. */
  | "minus"
  /** After a leading `0`. */
  | "zero"
  /** In the digits of an integer part that began with 1 to 9. */
  | "integer"
  /** After the decimal point, before any fraction digit. */
  | "point"
  | "fraction"
  /** After `e` or `E`. */
  | "exponentMark"
  /** After the sign of an exponent. */
  | "exponentSign"
  | "exponent"
  /** In `true`, `false` or `null`, at `literalAt`. */
  | "literal";

const LITERALS: Record<number, string> = { 0x74: "true", 0x66: "false", 0x6e: "null" };

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
/** The characters that may follow a backslash besides `u`: `"`, `\`, `/`, b, f, n, r, t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

const NAMED_ESCAPES: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
  0x5c: "\\\\",
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/**
 * A byte as Go's scanner quotes it in its messages: in single quotes, as `strconv.Quote` writes the rune
 * whose value is the byte, except that `'` is escaped and `"` is not. Printable ASCII and the printable
 * Latin-1 letters and signs stand as they are; the rest is `\a`-style, `\xNN` (ASCII controls and DEL) or
 * `\u00NN` (C1 controls, no-break space, soft hyphen).
 */
export function goQuoteByte(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named = NAMED_ESCAPES[c];
  if (named !== undefined) return `'${named}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${hex(c, 2)}'`;
  if (c < 0x7f || (c >= 0xa1 && c !== 0xad)) return `'${String.fromCharCode(c)}'`;
  return `'\\u${hex(c, 4)}'`;
}

class Scanner {
  private state: State = "value";
  private readonly frames: Frame[] = [];
  private hexLeft = 0;
  private literal = "";
  private literalAt = 0;
  /** Whether the top-level value is complete. */
  ended = false;

  /** Reads one byte; returns the error message if the byte is a syntax error, else null. */
  step(c: number): string | null {
    for (;;) {
      switch (this.state) {
        case "value":
        case "valueOrClose":
          if (isSpace(c)) return null;
          if (c === 0x5d && this.state === "valueOrClose") {
            this.state = "afterValue";
            continue;
          }
          return this.beginValue(c);

        case "key":
        case "keyOrClose":
          if (isSpace(c)) return null;
          if (c === 0x7d && this.state === "keyOrClose") {
            this.frames[this.frames.length - 1] = "objectValue";
            this.state = "afterValue";
            continue;
          }
          if (c === 0x22) {
            this.state = "string";
            return null;
          }
          return fail(c, "looking for beginning of object key string");

        case "afterValue": {
          const frame = this.frames.at(-1);
          if (frame === undefined) {
            this.state = "done";
            this.ended = true;
            continue;
          }
          if (isSpace(c)) return null;
          if (frame === "objectKey") {
            if (c !== 0x3a) return fail(c, "after object key");
            this.frames[this.frames.length - 1] = "objectValue";
            this.state = "value";
            return null;
          }
          const inObject = frame === "objectValue";
          if (c === 0x2c) {
            if (inObject) this.frames[this.frames.length - 1] = "objectKey";
            this.state = inObject ? "key" : "value";
            return null;
          }
          if (c !== (inObject ? 0x7d : 0x5d)) {
            return fail(c, inObject ? "after object key:value pair" : "after array element");
          }
          this.frames.pop();
          if (this.frames.length === 0) {
            this.state = "done";
            this.ended = true;
          }
          return null;
        }

        case "done":
          return isSpace(c) ? null : fail(c, "after top-level value");

        case "string":
          if (c === 0x22) this.state = "afterValue";
          else if (c === 0x5c) this.state = "escape";
          else if (c < 0x20) return fail(c, "in string literal");
          return null;

        case "escape":
          if (SIMPLE_ESCAPES.has(c)) this.state = "string";
          else if (c === 0x75) {
            this.state = "hex";
            this.hexLeft = 4;
          } else return fail(c, "in string escape code");
          return null;

        case "hex":
          if (!isHex(c)) return fail(c, "in \\u hexadecimal character escape");
          this.hexLeft -= 1;
          if (this.hexLeft === 0) this.state = "string";
          return null;

        case "minus":
          if (c === 0x30) this.state = "zero";
          else if (isDigit(c)) this.state = "integer";
          else return fail(c, "in numeric literal");
          return null;

        case "integer":
          if (isDigit(c)) return null;
          // The integer part is over: what may follow is what may follow a lone 0.
          this.state = "zero";
          continue;

        case "zero":
          if (c === 0x2e) {
            this.state = "point";
            return null;
          }
          if (c === 0x65 || c === 0x45) {
            this.state = "exponentMark";
            return null;
          }
          this.state = "afterValue";
          continue;

        case "point":
          if (!isDigit(c)) return fail(c, "after decimal point in numeric literal");
          this.state = "fraction";
          return null;

        case "fraction":
          if (isDigit(c)) return null;
          if (c === 0x65 || c === 0x45) {
            this.state = "exponentMark";
            return null;
          }
          this.state = "afterValue";
          continue;

        case "exponentMark":
          if (c === 0x2b || c === 0x2d) {
            this.state = "exponentSign";
            return null;
          }
          this.state = "exponentSign";
          continue;

        case "exponentSign":
          if (!isDigit(c)) return fail(c, "in exponent of numeric literal");
          this.state = "exponent";
          return null;

        case "exponent":
          if (isDigit(c)) return null;
          this.state = "afterValue";
          continue;

        case "literal": {
          const expected = this.literal.charCodeAt(this.literalAt);
          if (c !== expected) {
            return fail(c, `in literal ${this.literal} (expecting ${goQuoteByte(expected)})`);
          }
          this.literalAt += 1;
          if (this.literalAt === this.literal.length) this.state = "afterValue";
          return null;
        }
      }
    }
  }

  private beginValue(c: number): string | null {
    switch (c) {
      case 0x7b:
        return this.open(c, "objectKey", "keyOrClose");
      case 0x5b:
        return this.open(c, "array", "valueOrClose");
      case 0x22:
        this.state = "string";
        return null;
      case 0x2d:
        this.state = "minus";
        return null;
      case 0x30:
        this.state = "zero";
        return null;
    }
    if (isDigit(c)) {
      this.state = "integer";
      return null;
    }
    const literal = LITERALS[c];
    if (literal === undefined) return fail(c, "looking for beginning of value");
    this.state = "literal";
    this.literal = literal;
    this.literalAt = 1;
    return null;
  }

  private open(c: number, frame: Frame, state: State): string | null {
    this.frames.push(frame);
    this.state = state;
    return this.frames.length > MAX_DEPTH ? fail(c, "exceeded max depth") : null;
  }
}

const fail = (c: number, context: string) => `invalid character ${goQuoteByte(c)} ${context}`;

const encoder = new TextEncoder();

/**
 * The message of the `*json.SyntaxError` that Go's `json.Unmarshal` returns for this input, or null when the
 * input is one JSON value (with optional whitespace around it). A string is scanned as its UTF-8 encoding.
 *
 * At the end of the input Go feeds the scanner one more space, so an input cut inside a number, a literal or
 * an escape fails on that space (`-` gives `invalid character ' ' in numeric literal`); elsewhere, and for an
 * empty or blank input, the message is `unexpected end of JSON input`.
 */
export function goJsonSyntaxError(input: string | Uint8Array): string | null {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const scanner = new Scanner();
  for (const c of bytes) {
    const error = scanner.step(c);
    if (error !== null) return error;
  }
  if (scanner.ended) return null;
  const error = scanner.step(0x20);
  if (error !== null) return error;
  return scanner.ended ? null : "unexpected end of JSON input";
}

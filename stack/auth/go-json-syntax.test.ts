import { describe, expect, it } from "vitest";
import { goJsonSyntaxError, goQuoteByte } from "./go-json-syntax.ts";
import { goJsonError } from "./http.ts";

const END = "unexpected end of JSON input";

const VALID: string[] = [
  "{}",
  "[]",
  " {} ",
  "\t\r\n[1]\n",
  '"x"',
  '""',
  "0",
  "-0",
  "7",
  "123456789",
  "1.5",
  "-0.0e0",
  "1E+10",
  "1e-2",
  "2.5E3",
  "true",
  "false",
  "null",
  "[[[]]]",
  '{"":""}',
  '{ "a" : 1 , "b" : [ 1 , 2 ] }',
  '{"a":[1,{"b":null}],"c":"\\u00e9\\n"}',
  '"\\"\\\\\\/\\b\\f\\n\\r\\t\\uABCD\\uabcd\\u0000"',
  '"\\uD83D\\uDE00"',
  '"\\uD800"',
  '"é€😀"',
  '"\u007f\u0080\u00a0"',
  '{"email":"a@b.c","password":"x","data":{"n":[1,-2.5e-3,true,false,null]}}',
  "[0,-0,0.0,0e0,0E-0,1e+1]",
];

/** Inputs whose syntax error Go's json.Unmarshal reports with the message beside it. */
const INVALID: [string, string][] = [
  // empty or blank
  ["", END],
  ["   \n\t\r", END],

  // looking for beginning of value
  ["x", "invalid character 'x' looking for beginning of value"],
  ["}", "invalid character '}' looking for beginning of value"],
  ["]", "invalid character ']' looking for beginning of value"],
  [":", "invalid character ':' looking for beginning of value"],
  ["'a'", "invalid character '\\'' looking for beginning of value"],
  ["\\", "invalid character '\\\\' looking for beginning of value"],
  ["+1", "invalid character '+' looking for beginning of value"],
  [".5", "invalid character '.' looking for beginning of value"],
  ["undefined", "invalid character 'u' looking for beginning of value"],
  ["NaN", "invalid character 'N' looking for beginning of value"],
  ["Infinity", "invalid character 'I' looking for beginning of value"],
  ["True", "invalid character 'T' looking for beginning of value"],
  ["email=a@b.c", "invalid character 'e' looking for beginning of value"],
  ["\u0000", "invalid character '\\x00' looking for beginning of value"],
  ["\u0001", "invalid character '\\x01' looking for beginning of value"],
  ["\u001b", "invalid character '\\x1b' looking for beginning of value"],
  ["\u007f", "invalid character '\\x7f' looking for beginning of value"],
  ["\f{}", "invalid character '\\f' looking for beginning of value"],
  ["\v{}", "invalid character '\\v' looking for beginning of value"],
  ["\u0007", "invalid character '\\a' looking for beginning of value"],
  ["\b", "invalid character '\\b' looking for beginning of value"],
  ["é", "invalid character 'Ã' looking for beginning of value"],
  ["€", "invalid character 'â' looking for beginning of value"],
  ["😀", "invalid character 'ð' looking for beginning of value"],
  ["\u00a0{}", "invalid character 'Â' looking for beginning of value"],
  ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
  ["[,]", "invalid character ',' looking for beginning of value"],
  ["[1,]", "invalid character ']' looking for beginning of value"],
  ["[1,,2]", "invalid character ',' looking for beginning of value"],
  ['{"a":}', "invalid character '}' looking for beginning of value"],
  ['{"a":,}', "invalid character ',' looking for beginning of value"],
  ['{"a":x}', "invalid character 'x' looking for beginning of value"],
  ["[\"a\", 'b']", "invalid character '\\'' looking for beginning of value"],

  // looking for beginning of object key string
  ["{", END],
  ["{x}", "invalid character 'x' looking for beginning of object key string"],
  ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ["{1:2}", "invalid character '1' looking for beginning of object key string"],
  ["{a:1}", "invalid character 'a' looking for beginning of object key string"],
  ["{,}", "invalid character ',' looking for beginning of object key string"],
  ["{]", "invalid character ']' looking for beginning of object key string"],
  ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
  ['{"a":1, }', "invalid character '}' looking for beginning of object key string"],
  ['{"a":1,,}', "invalid character ',' looking for beginning of object key string"],
  ['{"a":1,2}', "invalid character '2' looking for beginning of object key string"],

  // after object key
  ['{"a"', END],
  ['{"a"}', "invalid character '}' after object key"],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['{"a",1}', "invalid character ',' after object key"],
  ['{"a"=1}', "invalid character '=' after object key"],
  ['{"a":1,"b"}', "invalid character '}' after object key"],

  // after object key:value pair
  ['{"a":1', END],
  ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
  ['{"a":1]', "invalid character ']' after object key:value pair"],
  ['{"a":1:', "invalid character ':' after object key:value pair"],
  ['{"a":"b"x', "invalid character 'x' after object key:value pair"],
  ['{"a":{}{', "invalid character '{' after object key:value pair"],
  ['{"a":true;', "invalid character ';' after object key:value pair"],

  // after array element
  ["[", END],
  ["[1", END],
  ["[1 2]", "invalid character '2' after array element"],
  ["[1}", "invalid character '}' after array element"],
  ["[1:", "invalid character ':' after array element"],
  ['["a" "b"]', "invalid character '\"' after array element"],
  ["[true false]", "invalid character 'f' after array element"],
  ["[[]{}]", "invalid character '{' after array element"],
  ["[null\u0000]", "invalid character '\\x00' after array element"],

  // after top-level value
  ["{}x", "invalid character 'x' after top-level value"],
  ["{} {}", "invalid character '{' after top-level value"],
  ["{}}", "invalid character '}' after top-level value"],
  ["[]]", "invalid character ']' after top-level value"],
  ["1 2", "invalid character '2' after top-level value"],
  ['"a""b"', "invalid character '\"' after top-level value"],
  ["true false", "invalid character 'f' after top-level value"],
  ["nullx", "invalid character 'x' after top-level value"],
  ["{}\u0000", "invalid character '\\x00' after top-level value"],
  ["{}\n\f", "invalid character '\\f' after top-level value"],
  ["{}é", "invalid character 'Ã' after top-level value"],
  ["01", "invalid character '1' after top-level value"],
  ["00", "invalid character '0' after top-level value"],
  ["-01", "invalid character '1' after top-level value"],
  ["01.5", "invalid character '1' after top-level value"],
  ["0x10", "invalid character 'x' after top-level value"],
  ["1.5.5", "invalid character '.' after top-level value"],
  ["1e5e5", "invalid character 'e' after top-level value"],
  ["1e5.0", "invalid character '.' after top-level value"],
  ["1-2", "invalid character '-' after top-level value"],
  ["[01]", "invalid character '1' after array element"],
  ['{"a":01}', "invalid character '1' after object key:value pair"],

  // in string literal
  ['"abc', END],
  ['{"a":"b', END],
  ['"a\nb"', "invalid character '\\n' in string literal"],
  ['"a\tb"', "invalid character '\\t' in string literal"],
  ['"\r"', "invalid character '\\r' in string literal"],
  ['"\u0000"', "invalid character '\\x00' in string literal"],
  ['"\u001f"', "invalid character '\\x1f' in string literal"],
  ['"\u000b"', "invalid character '\\v' in string literal"],
  ['{"a\nb":1}', "invalid character '\\n' in string literal"],
  ['{"password":"line\nbreak"}', "invalid character '\\n' in string literal"],

  // in string escape code
  ['"\\x"', "invalid character 'x' in string escape code"],
  ['"\\a"', "invalid character 'a' in string escape code"],
  ['"\\U0041"', "invalid character 'U' in string escape code"],
  ['"\\\'"', "invalid character '\\'' in string escape code"],
  ['"\\ "', "invalid character ' ' in string escape code"],
  ['"\\\n"', "invalid character '\\n' in string escape code"],
  ['"\\é"', "invalid character 'Ã' in string escape code"],
  ['"\\0"', "invalid character '0' in string escape code"],
  ['"\\', "invalid character ' ' in string escape code"],
  ['{"a\\', "invalid character ' ' in string escape code"],

  // in \u hexadecimal character escape
  ['"\\u', "invalid character ' ' in \\u hexadecimal character escape"],
  ['"\\u12', "invalid character ' ' in \\u hexadecimal character escape"],
  ['"\\u123', "invalid character ' ' in \\u hexadecimal character escape"],
  ['"\\u1234', END],
  ['"\\u"', "invalid character '\"' in \\u hexadecimal character escape"],
  ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
  ['"\\u00G0"', "invalid character 'G' in \\u hexadecimal character escape"],
  ['"\\u{41}"', "invalid character '{' in \\u hexadecimal character escape"],
  ['"\\u-001"', "invalid character '-' in \\u hexadecimal character escape"],
  ['"\\u\\u0041"', "invalid character '\\\\' in \\u hexadecimal character escape"],

  // in numeric literal
  ["-", "invalid character ' ' in numeric literal"],
  ["-x", "invalid character 'x' in numeric literal"],
  ["--1", "invalid character '-' in numeric literal"],
  ["-.5", "invalid character '.' in numeric literal"],
  ["- 1", "invalid character ' ' in numeric literal"],
  ["-Infinity", "invalid character 'I' in numeric literal"],
  ["[-]", "invalid character ']' in numeric literal"],
  ['{"a":-}', "invalid character '}' in numeric literal"],
  ['{"a":-', "invalid character ' ' in numeric literal"],

  // after decimal point in numeric literal
  ["1.", "invalid character ' ' after decimal point in numeric literal"],
  ["0.", "invalid character ' ' after decimal point in numeric literal"],
  ["1.x", "invalid character 'x' after decimal point in numeric literal"],
  ["1.e5", "invalid character 'e' after decimal point in numeric literal"],
  ["1..5", "invalid character '.' after decimal point in numeric literal"],
  ["-0.-1", "invalid character '-' after decimal point in numeric literal"],
  ["[1.]", "invalid character ']' after decimal point in numeric literal"],
  ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],

  // in exponent of numeric literal
  ["1e", "invalid character ' ' in exponent of numeric literal"],
  ["1e+", "invalid character ' ' in exponent of numeric literal"],
  ["1.5E-", "invalid character ' ' in exponent of numeric literal"],
  ["1ex", "invalid character 'x' in exponent of numeric literal"],
  ["1e+-1", "invalid character '-' in exponent of numeric literal"],
  ["1E.5", "invalid character '.' in exponent of numeric literal"],
  ["0e", "invalid character ' ' in exponent of numeric literal"],
  ["1e 5", "invalid character ' ' in exponent of numeric literal"],
  ["[1e]", "invalid character ']' in exponent of numeric literal"],
  ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
  ['{"a":1e+,', "invalid character ',' in exponent of numeric literal"],

  // in literal true / false / null
  ["t", "invalid character ' ' in literal true (expecting 'r')"],
  ["ta", "invalid character 'a' in literal true (expecting 'r')"],
  ["trUe", "invalid character 'U' in literal true (expecting 'u')"],
  ["tru", "invalid character ' ' in literal true (expecting 'e')"],
  ["truth", "invalid character 't' in literal true (expecting 'e')"],
  ["f", "invalid character ' ' in literal false (expecting 'a')"],
  ["fAlse", "invalid character 'A' in literal false (expecting 'a')"],
  ["fallse", "invalid character 'l' in literal false (expecting 's')"],
  ["fals", "invalid character ' ' in literal false (expecting 'e')"],
  ["falsy", "invalid character 'y' in literal false (expecting 'e')"],
  ["n", "invalid character ' ' in literal null (expecting 'u')"],
  ["nil", "invalid character 'i' in literal null (expecting 'u')"],
  ["nulL", "invalid character 'L' in literal null (expecting 'l')"],
  ["nul", "invalid character ' ' in literal null (expecting 'l')"],
  ["[tru]", "invalid character ']' in literal true (expecting 'e')"],
  ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')"],
  ['{"a":f\u0000', "invalid character '\\x00' in literal false (expecting 'a')"],
  ['{"a":t"', "invalid character '\"' in literal true (expecting 'r')"],

  // the first error in the input wins, before anything is decoded
  ['{"email":123,"password":}', "invalid character '}' looking for beginning of value"],
  ['[1,"two",{"3":[true,]}]', "invalid character ']' looking for beginning of value"],
  ['{"a":1} {"b":x}', "invalid character '{' after top-level value"],
  ["[1 2, x]", "invalid character '2' after array element"],

  // nesting
  ['{"a":{"b":[{"c":[1,2,{"d":null}]}]}}}', "invalid character '}' after top-level value"],
  ['{"a":{"b":[{"c":[1,2,{"d":null}]}]}', END],
  ['{"a":{"b":[{"c":[1,2,{"d":null}}]}]}', "invalid character '}' after array element"],
  ['[{"a":[]]}', "invalid character ']' after object key:value pair"],
  ["[[[[", END],
  ["{{}}", "invalid character '{' looking for beginning of object key string"],
];

describe("goJsonSyntaxError", () => {
  it.each(VALID)("accepts %j", (input) => {
    expect(goJsonSyntaxError(input)).toBeNull();
  });

  it.each(INVALID)("rejects %j", (input, message) => {
    expect(goJsonSyntaxError(input)).toBe(message);
  });

  it("treats only space, tab, CR and LF as whitespace", () => {
    expect(goJsonSyntaxError(" \t\r\n{} \t\r\n")).toBeNull();
    expect(goJsonSyntaxError("\u2028{}")).toBe("invalid character 'â' looking for beginning of value");
    expect(goJsonSyntaxError("{}\u00a0")).toBe("invalid character 'Â' after top-level value");
  });

  it("reports the end of the input at every cut of a document outside numbers, literals and escapes", () => {
    const doc = '{"a": [1, {"b": "c d"}, []], "e": {"f": ""}, "g": 10}';
    expect(goJsonSyntaxError(doc)).toBeNull();
    for (let i = 0; i < doc.length; i++) {
      expect([i, goJsonSyntaxError(doc.slice(0, i))]).toEqual([i, END]);
    }
  });

  it("fails on the space Go feeds at the end when the cut is inside a number, a literal or an escape", () => {
    const doc = String.raw`{"a":[true,false,null,-1.5e+3,0,"x\u00e9\n"],"b":{"c":[]}}`;
    const literal = (name: string, next: string) => `invalid character ' ' in literal ${name} (expecting '${next}')`;
    const hexEscape = "invalid character ' ' in \\u hexadecimal character escape";
    const escape = "invalid character ' ' in string escape code";
    const exponent = "invalid character ' ' in exponent of numeric literal";
    /** Each key ends where the cut is, once in the document. */
    const cuts: Record<string, string> = {
      "[t": literal("true", "r"),
      "[tr": literal("true", "u"),
      "[tru": literal("true", "e"),
      ",f": literal("false", "a"),
      ",fa": literal("false", "l"),
      ",fal": literal("false", "s"),
      ",fals": literal("false", "e"),
      ",n": literal("null", "u"),
      ",nu": literal("null", "l"),
      ",nul": literal("null", "l"),
      ",-": "invalid character ' ' in numeric literal",
      ",-1.": "invalid character ' ' after decimal point in numeric literal",
      ",-1.5e": exponent,
      ",-1.5e+": exponent,
      '"x\\': escape,
      '"x\\u': hexEscape,
      "\\u0": hexEscape,
      "\\u00": hexEscape,
      "\\u00e": hexEscape,
      "9\\": escape,
    };
    const expected = new Map<number, string>();
    for (const [key, message] of Object.entries(cuts)) {
      const at = doc.indexOf(key);
      expect(doc.lastIndexOf(key)).toBe(at);
      expected.set(at + key.length, message);
    }
    expect(goJsonSyntaxError(doc)).toBeNull();
    for (let i = 0; i < doc.length; i++) {
      expect([i, goJsonSyntaxError(doc.slice(0, i))]).toEqual([i, expected.get(i) ?? END]);
    }
  });

  it("accepts a top-level number cut after a digit, as a shorter number", () => {
    const cuts = ["-", "-1", "-12", "-12.", "-12.5", "-12.5e", "-12.5e+", "-12.5e+3"];
    expect(cuts.map((cut) => goJsonSyntaxError(cut))).toEqual([
      "invalid character ' ' in numeric literal",
      null,
      null,
      "invalid character ' ' after decimal point in numeric literal",
      null,
      "invalid character ' ' in exponent of numeric literal",
      "invalid character ' ' in exponent of numeric literal",
      null,
    ]);
  });

  it("scans bytes: invalid UTF-8 passes inside strings and is quoted as the byte's rune elsewhere", () => {
    expect(goJsonSyntaxError(Uint8Array.of(0x22, 0xff, 0xfe, 0x80, 0x22))).toBeNull();
    expect(goJsonSyntaxError(Uint8Array.of(0xff))).toBe("invalid character 'ÿ' looking for beginning of value");
    expect(goJsonSyntaxError(Uint8Array.of(0x80))).toBe("invalid character '\\u0080' looking for beginning of value");
    expect(goJsonSyntaxError(Uint8Array.of(0xc3))).toBe("invalid character 'Ã' looking for beginning of value");
    expect(goJsonSyntaxError(Uint8Array.of(0x5b, 0x31, 0xfe))).toBe("invalid character 'þ' after array element");
    expect(goJsonSyntaxError(Uint8Array.of(0x7b, 0xad))).toBe(
      "invalid character '\\u00ad' looking for beginning of object key string",
    );
    expect(goJsonSyntaxError(new Uint8Array())).toBe(END);
  });

  it("scans a string as UTF-8, a lone surrogate as U+FFFD", () => {
    expect(goJsonSyntaxError('"\ud800"')).toBeNull();
    expect(goJsonSyntaxError("\ud800")).toBe("invalid character 'ï' looking for beginning of value");
  });

  it("allows 10000 levels of nesting and fails on the bracket that opens one more", () => {
    expect(goJsonSyntaxError("[".repeat(10000) + "]".repeat(10000))).toBeNull();
    expect(goJsonSyntaxError('{"a":'.repeat(9999) + "[]" + "}".repeat(9999))).toBeNull();
    expect(goJsonSyntaxError("[".repeat(10000))).toBe(END);
    expect(goJsonSyntaxError("[".repeat(10001) + "]".repeat(10001))).toBe("invalid character '[' exceeded max depth");
    expect(goJsonSyntaxError('{"a":'.repeat(10000) + "{}")).toBe("invalid character '{' exceeded max depth");
    expect(goJsonSyntaxError("[".repeat(9999) + "x")).toBe("invalid character 'x' looking for beginning of value");
  });
});

describe("goQuoteByte", () => {
  it("quotes a byte as Go's scanner does", () => {
    const quoted: [number, string][] = [
      [0x00, "'\\x00'"],
      [0x07, "'\\a'"],
      [0x08, "'\\b'"],
      [0x09, "'\\t'"],
      [0x0a, "'\\n'"],
      [0x0b, "'\\v'"],
      [0x0c, "'\\f'"],
      [0x0d, "'\\r'"],
      [0x1b, "'\\x1b'"],
      [0x1f, "'\\x1f'"],
      [0x20, "' '"],
      [0x22, "'\"'"],
      [0x27, "'\\''"],
      [0x41, "'A'"],
      [0x5c, "'\\\\'"],
      [0x7e, "'~'"],
      [0x7f, "'\\x7f'"],
      [0x80, "'\\u0080'"],
      [0x9f, "'\\u009f'"],
      [0xa0, "'\\u00a0'"],
      [0xa1, "'¡'"],
      [0xac, "'¬'"],
      [0xad, "'\\u00ad'"],
      [0xae, "'®'"],
      [0xc3, "'Ã'"],
      [0xd7, "'×'"],
      [0xe2, "'â'"],
      [0xf0, "'ð'"],
      [0xff, "'ÿ'"],
    ];
    expect(quoted.map(([c]) => [c, goQuoteByte(c)])).toEqual(quoted);
  });

  it("quotes every byte in a message the same way", () => {
    for (let c = 0; c < 256; c++) {
      if (c === 0x72) continue;
      expect(goJsonSyntaxError(Uint8Array.of(0x74, c))).toBe(
        `invalid character ${goQuoteByte(c)} in literal true (expecting 'r')`,
      );
    }
  });
});

describe("goJsonError", () => {
  it("gives Go's message for the bodies JSON.parse rejects", () => {
    for (const [input, message] of INVALID) {
      expect(() => JSON.parse(input)).toThrow();
      expect(goJsonError(input)).toBe(message);
    }
  });
});

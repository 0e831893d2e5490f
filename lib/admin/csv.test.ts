import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "./csv";

/** A minimal RFC 4180 reader, to check that what csvRow writes reads back as the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

describe("csvCell", () => {
  it("leaves plain text alone and writes nothing for null", () => {
    expect(csvCell("user.ban")).toBe("user.ban");
    expect(csvCell("2026-12-05T08:03:12.353Z")).toBe("2026-12-05T08:03:12.353Z");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("quotes commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell('{"role":"user"}')).toBe('"{""role"":""user""}"');
  });

  it.each([
    ["=HYPERLINK(\"http://evil.example\")", `"'=HYPERLINK(""http://evil.example"")"`],
    ["+1+2", "'+1+2"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", `"'\r=1"`],
    ["=1,2", `"'=1,2"`],
  ])("defuses a formula: %j → %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("does not touch a formula character that is not the first", () => {
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("ada@example.com")).toBe("ada@example.com");
    expect(csvCell(" =1")).toBe(" =1");
  });
});

describe("csvRow", () => {
  it("ends in CRLF and reads back as the same cells (formula cells with their ')", () => {
    const cells = ["x", 'q"uote', "com,ma", "multi\r\nline", "", "=cmd", "ünïcödé ✓"];
    const line = csvRow([...cells.slice(0, 4), null, ...cells.slice(5)]);
    expect(line.endsWith("\r\n")).toBe(true);
    expect(parseCsv(line + csvRow(["second"]))).toEqual([["x", 'q"uote', "com,ma", "multi\r\nline", "", "'=cmd", "ünïcödé ✓"], ["second"]]);
  });
});

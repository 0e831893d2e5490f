export type SqlStatement = {
  /** The statement without surrounding whitespace, without its terminating semicolon. */
  text: string;
  /** Character offset of `text` in the source, for mapping server error positions to lines. */
  offset: number;
};

const identChar = /[A-Za-z0-9_$]/;
const wordChar = /[A-Za-z0-9_]/;

/**
 * Splits SQL into top-level statements the way psql and the Supabase CLI do: semicolons inside
 * quotes, dollar quotes, comments and SQL-standard `BEGIN ATOMIC ... END` bodies do not split.
 * Chunks holding only comments and whitespace are dropped.
 */
export function splitSql(source: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let hasCode = false;
  let atomicDepth = 0; // > 0 inside BEGIN ATOMIC; CASE ... END nests inside it
  let previousWord = "";
  let i = 0;

  const push = (end: number) => {
    if (hasCode) {
      const raw = source.slice(start, end);
      const lead = raw.length - raw.trimStart().length;
      statements.push({ text: raw.trim(), offset: start + lead });
    }
    hasCode = false;
    previousWord = "";
  };

  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "-" && next === "-") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end + 1;
      continue;
    }
    if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < source.length && depth > 0) {
        if (source[i] === "/" && source[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (source[i] === "*" && source[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(source[i - 1]!) && (i < 2 || !identChar.test(source[i - 2]!));
      i++;
      while (i < source.length) {
        if (escapes && source[i] === "\\") i += 2;
        else if (source[i] === "'" && source[i + 1] === "'") i += 2;
        else if (source[i] === "'") break;
        else i++;
      }
      i++;
      hasCode = true;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < source.length) {
        if (source[i] === '"' && source[i + 1] === '"') i += 2;
        else if (source[i] === '"') break;
        else i++;
      }
      i++;
      hasCode = true;
      continue;
    }
    if (c === "$" && (i === 0 || !identChar.test(source[i - 1]!))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i, i + 66));
      if (tag) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? source.length : close + tag[0].length;
        hasCode = true;
        continue;
      }
    }
    if (/[A-Za-z_]/.test(c) && (i === 0 || !identChar.test(source[i - 1]!))) {
      let end = i + 1;
      while (end < source.length && identChar.test(source[end]!)) end++;
      const word = source.slice(i, end).toLowerCase();
      if (word === "atomic" && previousWord === "begin") atomicDepth = 1;
      else if (atomicDepth > 0 && word === "case") atomicDepth++;
      else if (atomicDepth > 0 && word === "end") atomicDepth--;
      previousWord = word;
      hasCode = true;
      i = end;
      continue;
    }
    if (c === ";" && atomicDepth === 0) {
      push(i);
      start = i + 1;
      i++;
      continue;
    }
    if (!/\s/.test(c)) {
      hasCode = true;
      if (!wordChar.test(c)) previousWord = "";
    }
    i++;
  }
  push(source.length);
  return statements;
}

/** 1-based line and column of a character offset. */
export function lineAt(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

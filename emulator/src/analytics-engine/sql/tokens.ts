import { SQL_LIMITS, SqlRefusal } from "./refusal";

export type Token =
  | { kind: "word"; text: string; upper: string; at: number }
  | { kind: "number"; text: string; value: number; at: number }
  | { kind: "string"; value: string; at: number }
  | { kind: "symbol"; text: string; at: number };

/** Longest first, so `<=` is not read as `<` then `=`. */
const SYMBOLS = ["<=", ">=", "!=", "<>", "==", "(", ")", ",", "*", "+", "-", "/", "%", "=", "<", ">", ";"];

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

/** What `pattern` (sticky) matches at `at`, or null. */
function matchAt(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.test(text) ? text.slice(at, pattern.lastIndex) : null;
}

/** A string literal's body from after its opening quote: `''` and `\'` are a quote, `\\` a backslash. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = "";
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      const next = text[++i] as string;
      value += { n: "\n", t: "\t", r: "\r", "0": "\0" }[next] ?? next;
    } else if (c === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 };
      value += "'";
      i++;
    } else {
      value += c;
    }
  }
  throw new SqlRefusal("unterminated string literal");
}

/** The length of what is skipped at `i` (whitespace, a comment), 0 if nothing is. */
function skippable(text: string, i: number): number {
  if (/\s/.test(text[i] as string)) return 1;
  if (text.startsWith("--", i)) {
    const end = text.indexOf("\n", i);
    return (end === -1 ? text.length : end + 1) - i;
  }
  if (text.startsWith("/*", i)) {
    const end = text.indexOf("*/", i + 2);
    if (end === -1) throw new SqlRefusal("unterminated comment");
    return end + 2 - i;
  }
  return 0;
}

/** The token at `i` and where it ends. */
function tokenAt(text: string, i: number): { token: Token; end: number } {
  if (text[i] === "'") {
    const { value, end } = readString(text, i + 1);
    return { token: { kind: "string", value, at: i }, end };
  }
  const number = matchAt(NUMBER, text, i);
  if (number !== null && !Number.isFinite(Number(number))) throw new SqlRefusal(`number out of range at position ${i}`);
  if (number !== null)
    return { token: { kind: "number", text: number, value: Number(number), at: i }, end: i + number.length };
  const word = matchAt(WORD, text, i);
  if (word !== null)
    return { token: { kind: "word", text: word, upper: word.toUpperCase(), at: i }, end: i + word.length };
  const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
  if (symbol === undefined) throw new SqlRefusal(`unexpected character ${JSON.stringify(text[i])} at position ${i}`);
  return { token: { kind: "symbol", text: symbol, at: i }, end: i + symbol.length };
}

/** The query's tokens; comments (`--`, `/* *\/`) and whitespace dropped. */
export function tokenize(text: string): Token[] {
  if (text.length > SQL_LIMITS.queryChars) {
    throw new SqlRefusal(`query longer than ${SQL_LIMITS.queryChars} characters`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const skip = skippable(text, i);
    if (skip > 0) {
      i += skip;
      continue;
    }
    if (tokens.length >= SQL_LIMITS.tokens) throw new SqlRefusal(`query of more than ${SQL_LIMITS.tokens} tokens`);
    const { token, end } = tokenAt(text, i);
    tokens.push(token);
    i = end;
  }
  return tokens;
}

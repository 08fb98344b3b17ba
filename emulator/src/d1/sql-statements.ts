/**
 * Splits SQL text into its statements at top-level semicolons, as D1 does
 * before running `sql` that holds several. Semicolons inside string literals,
 * quoted identifiers, comments and a trigger's BEGIN … END body do not split.
 * Statements that are only whitespace and comments are dropped.
 */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  // Words seen in the current statement, outside quotes and comments, upper-cased.
  let words: string[] = [];
  let word = "";
  // BEGIN/CASE … END nesting inside a CREATE TRIGGER statement.
  let blockDepth = 0;

  const endWord = () => {
    if (word === "") return;
    const upper = word.toUpperCase();
    words.push(upper);
    word = "";
    if (!isCreateTrigger(words)) return;
    if (upper === "BEGIN" || upper === "CASE") blockDepth++;
    else if (upper === "END" && blockDepth > 0) blockDepth--;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === "-" && next === "-") {
      endWord();
      const eol = text.indexOf("\n", i);
      i = eol === -1 ? text.length : eol + 1;
      continue;
    }
    if (ch === "/" && next === "*") {
      endWord();
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 2;
      continue;
    }
    const closing = QUOTE_CLOSERS[ch];
    if (closing !== undefined) {
      endWord();
      hasCode = true;
      i = skipQuoted(text, i + 1, closing);
      continue;
    }
    if (ch === ";") endWord();
    if (ch === ";" && blockDepth === 0) {
      if (hasCode) statements.push(text.slice(start, i + 1).trim());
      start = i + 1;
      hasCode = false;
      words = [];
      i++;
      continue;
    }
    if (/[A-Za-z0-9_$]/.test(ch)) word += ch;
    else endWord();
    if (!/\s/.test(ch)) hasCode = true;
    i++;
  }
  endWord();
  if (hasCode) statements.push(text.slice(start).trim());
  return statements;
}

/** Opening quote → closing quote. A doubled closing quote inside is an escaped one. */
const QUOTE_CLOSERS: Record<string, string> = { "'": "'", '"': '"', "`": "`", "[": "]" };

/** Index just past the closing quote (or the end of the text if it never closes). */
function skipQuoted(text: string, from: number, closing: string): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === closing) {
      if (closing !== "]" && text[i + 1] === closing) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

/** `CREATE [TEMP|TEMPORARY] TRIGGER …` */
function isCreateTrigger(words: string[]): boolean {
  if (words[0] !== "CREATE") return false;
  const second = words[1];
  return second === "TRIGGER" || ((second === "TEMP" || second === "TEMPORARY") && words[2] === "TRIGGER");
}

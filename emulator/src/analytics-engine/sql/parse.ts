import {
  type BinaryOp,
  type Expr,
  INTERVAL_SECONDS,
  type IntervalUnit,
  type OutputFormat,
  type Query,
  type SelectItem,
  type SelectQuery,
} from "./ast";
import { SQL_LIMITS, SqlRefusal } from "./refusal";
import { type Token, tokenize } from "./tokens";

/** Words that end an expression or a list: never read as a column or an alias. */
const RESERVED = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP",
  "BY",
  "HAVING",
  "ORDER",
  "LIMIT",
  "OFFSET",
  "FORMAT",
  "AS",
  "AND",
  "OR",
  "NOT",
  "IN",
  "ASC",
  "DESC",
  "DISTINCT",
  "INTERVAL",
  "JOIN",
  "UNION",
  "ON",
  "USING",
  "WITH",
  "SETTINGS",
  "LIKE",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "IS",
  "BETWEEN",
  "ALL",
  "SHOW",
  "TABLES",
]);

const COMPARISONS: Record<string, BinaryOp> = {
  "=": "=",
  "==": "=",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/** A recursive-descent parser over the tokens; anything it does not know is refused, named. */
class Parser {
  #at = 0;
  #depth = 0;
  readonly #tokens: Token[];

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #peek(): Token | undefined {
    return this.#tokens[this.#at];
  }

  #describe(token: Token | undefined): string {
    if (token === undefined) return "the end of the query";
    const text = token.kind === "string" ? `'${token.value}'` : token.text;
    return `${JSON.stringify(text.slice(0, 40))} at position ${token.at}`;
  }

  #isWord(...words: string[]): boolean {
    const token = this.#peek;
    return token?.kind === "word" && words.includes(token.upper);
  }

  #isSymbol(...symbols: string[]): boolean {
    const token = this.#peek;
    return token?.kind === "symbol" && symbols.includes(token.text);
  }

  #acceptWord(...words: string[]): string | null {
    if (!this.#isWord(...words)) return null;
    return (this.#tokens[this.#at++] as Extract<Token, { kind: "word" }>).upper;
  }

  #acceptSymbol(symbol: string): boolean {
    if (!this.#isSymbol(symbol)) return false;
    this.#at++;
    return true;
  }

  #expectWord(word: string): void {
    if (this.#acceptWord(word) === null) throw new SqlRefusal(`expected ${word}, found ${this.#describe(this.#peek)}`);
  }

  #expectSymbol(symbol: string): void {
    if (!this.#acceptSymbol(symbol)) throw new SqlRefusal(`expected "${symbol}", found ${this.#describe(this.#peek)}`);
  }

  #identifier(what: string): string {
    const token = this.#peek;
    if (token?.kind !== "word" || RESERVED.has(token.upper)) {
      throw new SqlRefusal(`expected ${what}, found ${this.#describe(token)}`);
    }
    this.#at++;
    return token.text;
  }

  #count(what: string): number {
    const token = this.#peek;
    if (token?.kind !== "number" || !Number.isSafeInteger(token.value) || token.value < 0) {
      throw new SqlRefusal(`expected ${what} (a whole number), found ${this.#describe(token)}`);
    }
    this.#at++;
    return token.value;
  }

  query(): Query {
    if (this.#acceptWord("SHOW")) {
      this.#expectWord("TABLES");
      return this.#finish({ kind: "show-tables", format: this.#format() });
    }
    this.#expectWord("SELECT");
    const items = this.#acceptSymbol("*") ? null : this.#list(() => this.#selectItem());
    let from: string | null = null;
    if (this.#acceptWord("FROM")) {
      if (this.#isSymbol("(")) throw new SqlRefusal("unsupported: a subquery in FROM");
      from = this.#identifier("a dataset name");
      if (this.#isSymbol(",") || this.#isWord("JOIN", "UNION"))
        throw new SqlRefusal("unsupported: more than one dataset");
    }
    const where = this.#acceptWord("WHERE") ? this.#expr() : null;
    let groupBy: Expr[] = [];
    if (this.#acceptWord("GROUP")) {
      this.#expectWord("BY");
      groupBy = this.#list(() => this.#expr());
    }
    const having = this.#acceptWord("HAVING") ? this.#expr() : null;
    let orderBy: SelectQuery["orderBy"] = [];
    if (this.#acceptWord("ORDER")) {
      this.#expectWord("BY");
      orderBy = this.#list(() => ({ expr: this.#expr(), descending: this.#acceptWord("ASC", "DESC") === "DESC" }));
    }
    let limit: number | null = null;
    let offset = 0;
    if (this.#acceptWord("LIMIT")) {
      limit = this.#acceptWord("ALL") ? null : this.#count("LIMIT's row count");
      if (this.#acceptSymbol(",")) {
        // LIMIT offset, count
        offset = limit ?? 0;
        limit = this.#count("LIMIT's row count");
      }
    }
    if (this.#acceptWord("OFFSET")) offset = this.#count("OFFSET's row count");
    const format = this.#format();
    return this.#finish({ kind: "select", items, from, where, groupBy, having, orderBy, limit, offset, format });
  }

  #format(): OutputFormat {
    if (this.#acceptWord("FORMAT") === null) return "JSON";
    const name = this.#identifier("a format");
    if (name === "JSON" || name === "JSONEachRow") return name;
    throw new SqlRefusal(`unsupported format: ${name} (the emulator answers JSON and JSONEachRow)`);
  }

  #finish<Q extends Query>(query: Q): Q {
    this.#acceptSymbol(";");
    if (this.#peek !== undefined) throw new SqlRefusal(`unexpected ${this.#describe(this.#peek)}`);
    return query;
  }

  #list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.#acceptSymbol(",")) items.push(item());
    return items;
  }

  #selectItem(): SelectItem {
    const expr = this.#expr();
    const alias = this.#acceptWord("AS") ? this.#identifier("an alias") : null;
    return { expr, alias };
  }

  #expr(): Expr {
    if (++this.#depth > SQL_LIMITS.depth) throw new SqlRefusal(`expression nested more than ${SQL_LIMITS.depth} deep`);
    try {
      return this.#or();
    } finally {
      this.#depth--;
    }
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#acceptWord("OR")) left = { kind: "binary", op: "OR", left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#acceptWord("AND")) left = { kind: "binary", op: "AND", left, right: this.#not() };
    return left;
  }

  #not(): Expr {
    if (this.#acceptWord("NOT")) return { kind: "unary", op: "NOT", operand: this.#not() };
    return this.#comparison();
  }

  #comparison(): Expr {
    const left = this.#additive();
    const token = this.#peek;
    if (token?.kind === "symbol" && token.text in COMPARISONS) {
      this.#at++;
      return { kind: "binary", op: COMPARISONS[token.text] as BinaryOp, left, right: this.#additive() };
    }
    const negated = this.#isWord("NOT") && this.#tokens[this.#at + 1]?.kind === "word";
    if (negated) this.#at++;
    if (this.#acceptWord("IN")) {
      this.#expectSymbol("(");
      if (this.#isWord("SELECT")) throw new SqlRefusal("unsupported: a subquery in IN");
      const list = this.#list(() => this.#additive());
      this.#expectSymbol(")");
      return { kind: "in", operand: left, list, negated };
    }
    if (negated) throw new SqlRefusal(`unsupported: NOT ${this.#describe(this.#peek)}`);
    if (this.#isWord("LIKE", "BETWEEN", "IS"))
      throw new SqlRefusal(`unsupported operator: ${this.#peek?.kind === "word" ? this.#peek.upper : ""}`);
    return left;
  }

  #additive(): Expr {
    let left = this.#multiplicative();
    for (;;) {
      const op = this.#acceptSymbol("+") ? "+" : this.#acceptSymbol("-") ? "-" : null;
      if (op === null) return left;
      left = { kind: "binary", op, left, right: this.#multiplicative() };
    }
  }

  #multiplicative(): Expr {
    let left = this.#unary();
    for (;;) {
      const op = this.#acceptSymbol("*") ? "*" : this.#acceptSymbol("/") ? "/" : this.#acceptSymbol("%") ? "%" : null;
      if (op === null) return left;
      left = { kind: "binary", op, left, right: this.#unary() };
    }
  }

  #unary(): Expr {
    if (this.#acceptSymbol("-")) {
      if (++this.#depth > SQL_LIMITS.depth)
        throw new SqlRefusal(`expression nested more than ${SQL_LIMITS.depth} deep`);
      try {
        return { kind: "unary", op: "-", operand: this.#unary() };
      } finally {
        this.#depth--;
      }
    }
    return this.#primary();
  }

  #primary(): Expr {
    const token = this.#peek;
    if (token === undefined) throw new SqlRefusal("unexpected end of the query");
    if (token.kind === "number") {
      this.#at++;
      return { kind: "number", value: token.value, text: token.text };
    }
    if (token.kind === "string") {
      this.#at++;
      return { kind: "string", value: token.value };
    }
    if (token.kind === "symbol") {
      if (!this.#acceptSymbol("(")) throw new SqlRefusal(`unexpected ${this.#describe(token)}`);
      if (this.#isWord("SELECT")) throw new SqlRefusal("unsupported: a subquery");
      const inner = this.#expr();
      this.#expectSymbol(")");
      return inner;
    }
    if (token.upper === "INTERVAL") return this.#interval();
    if (token.upper === "CASE") throw new SqlRefusal("unsupported expression: CASE (use if())");
    const name = this.#identifier("an expression");
    if (!this.#isSymbol("(")) return { kind: "name", name };
    return this.#call(name);
  }

  #interval(): Expr {
    this.#at++;
    const token = this.#peek;
    let count: number;
    if (token?.kind === "string" && /^\d+$/.test(token.value.trim())) count = Number(token.value.trim());
    else if (token?.kind === "number" && Number.isSafeInteger(token.value)) count = token.value;
    else throw new SqlRefusal(`expected an interval's count, found ${this.#describe(token)}`);
    this.#at++;
    const unit = this.#identifier("an interval unit").toUpperCase().replace(/S$/, "");
    if (!Object.hasOwn(INTERVAL_SECONDS, unit))
      throw new SqlRefusal(`unsupported interval unit: ${unit} (SECOND, MINUTE, HOUR or DAY)`);
    return { kind: "interval", count, unit: unit as IntervalUnit };
  }

  #call(name: string): Expr {
    const call = this.#arguments(name, null);
    // `name(params)(args)`: a parametric aggregate (quantileExactWeighted(0.5)(double1, _sample_interval)).
    if (!this.#isSymbol("(")) return call;
    if (call.kind !== "call" || call.star || call.distinct) throw new SqlRefusal(`unexpected "(" after ${name}(...)`);
    return this.#arguments(name, call.args);
  }

  #arguments(name: string, params: Expr[] | null): Expr {
    this.#expectSymbol("(");
    if (this.#acceptSymbol(")")) return { kind: "call", name, args: [], distinct: false, star: false, params };
    if (this.#acceptSymbol("*")) {
      this.#expectSymbol(")");
      return { kind: "call", name, args: [], distinct: false, star: true, params };
    }
    const distinct = this.#acceptWord("DISTINCT") !== null;
    const args = this.#list(() => this.#expr());
    this.#expectSymbol(")");
    return { kind: "call", name, args, distinct, star: false, params };
  }
}

/** The query's parse, or a SqlRefusal naming what is not in the subset. */
export function parseQuery(text: string): Query {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new SqlRefusal("empty query");
  return new Parser(tokens).query();
}

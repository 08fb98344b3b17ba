import { AGGREGATES, QUANTILES } from "./aggregates";
import { type Expr, INTERVAL_SECONDS, render, type SelectQuery } from "./ast";
import { ALL_COLUMNS, column } from "./columns";
import { checkGrouped } from "./grouping";
import { weightedQuantile } from "./quantile";
import { SqlRefusal } from "./refusal";
import { commonType, comparable, isInteger, isNumeric, literalIntegerType, parseDateTime, type SqlType } from "./types";

/** SQL the emulator wrote, its type, and whether it aggregates. */
interface Part {
  sql: string;
  type: SqlType;
  aggregate: boolean;
  /** An INTERVAL's seconds (type Interval), for DateTime arithmetic and toStartOfInterval. */
  seconds?: number;
  /** What turns SQLite's value into the column's (a quantile from its gathered pairs). */
  post?: (value: unknown) => unknown;
}

/** An answer's column: its name and type, and what finishes its value when SQLite cannot. */
export interface OutputColumn {
  name: string;
  type: SqlType;
  post?: (value: unknown) => unknown;
}

/** A query as SQLite runs it over the store: the text, its bound values in order, and the answer's columns. */
export interface Translation {
  sql: string;
  params: (string | number)[];
  columns: OutputColumn[];
  limit: number | null;
  offset: number;
}

type Place = "SELECT" | "WHERE" | "GROUP BY" | "HAVING" | "ORDER BY";

/** toStartOf<Unit>(t): toStartOfInterval(t, INTERVAL n UNIT). */
const START_OF: Record<string, number> = {
  tostartofminute: 60,
  tostartoffiveminutes: 300,
  tostartoftenminutes: 600,
  tostartoffifteenminutes: 900,
  tostartofhour: 3600,
  tostartofday: 86_400,
};

const UTC_NAMES = new Set(["UTC", "Etc/UTC"]);

/**
 * Translates one parsed SELECT into SQLite over the store's `points` table.
 * Identifiers and functions are looked up in fixed tables (columns.ts and
 * below); every literal of the query becomes a bound parameter. Parts are
 * translated in the order they appear in the SQL, so the `?`s line up with
 * `params`.
 */
class Translator {
  readonly params: (string | number)[] = [];
  readonly #aliases = new Map<string, Expr>();
  readonly #expanding = new Set<string>();
  readonly #hasTable: boolean;
  readonly #now: number;

  constructor(query: SelectQuery, now: number) {
    this.#hasTable = query.from !== null;
    this.#now = now;
    for (const item of query.items ?? []) if (item.alias !== null) this.#aliases.set(item.alias, item.expr);
  }

  #param(value: string | number): string {
    this.params.push(value);
    return "?";
  }

  /** An expression's translation; an INTERVAL only stands where `#withInterval` reads one. */
  expr(expr: Expr, place: Place, inAggregate = false): Part {
    const part = this.#withInterval(expr, place, inAggregate);
    if (part.type === "Interval") throw new SqlRefusal(`an INTERVAL here is not supported (${render(expr)})`);
    return part;
  }

  /** An expression's translation, which may be an INTERVAL (added to a DateTime, or toStartOfInterval's). */
  #withInterval(expr: Expr, place: Place, inAggregate = false): Part {
    switch (expr.kind) {
      case "number": {
        const whole = Number.isSafeInteger(expr.value) && !/[.eE]/.test(expr.text);
        return {
          sql: this.#param(expr.value),
          type: whole ? literalIntegerType(expr.value) : "Float64",
          aggregate: false,
        };
      }
      case "string":
        return { sql: this.#param(expr.value), type: "String", aggregate: false };
      case "name":
        return this.#name(expr.name, place, inAggregate);
      case "interval":
        return { sql: "", type: "Interval", aggregate: false, seconds: expr.count * INTERVAL_SECONDS[expr.unit] };
      case "unary":
        return this.#unary(expr, place, inAggregate);
      case "binary":
        return this.#binary(expr, place, inAggregate);
      case "in":
        return this.#in(expr, place, inAggregate);
      case "call":
        return this.#call(expr, place, inAggregate);
    }
  }

  #name(name: string, place: Place, inAggregate: boolean): Part {
    const found = column(name);
    if (found !== null) {
      if (!this.#hasTable) throw new SqlRefusal(`column ${name} needs a dataset: the query has no FROM`);
      return { ...found, aggregate: false };
    }
    const aliased = this.#aliases.get(name);
    if (aliased === undefined) throw new SqlRefusal(`unknown column: ${name}`);
    if (this.#expanding.has(name)) throw new SqlRefusal(`alias ${name} refers to itself`);
    this.#expanding.add(name);
    try {
      return this.expr(aliased, place, inAggregate);
    } finally {
      this.#expanding.delete(name);
    }
  }

  #unary(expr: Extract<Expr, { kind: "unary" }>, place: Place, inAggregate: boolean): Part {
    const operand = this.expr(expr.operand, place, inAggregate);
    if (expr.op === "NOT") return { sql: `(NOT ${operand.sql})`, type: "UInt8", aggregate: operand.aggregate };
    if (!isNumeric(operand.type)) throw new SqlRefusal(`cannot negate a ${operand.type}`);
    const type = operand.type === "Float64" ? "Float64" : "Int64";
    return { sql: `(- ${operand.sql})`, type, aggregate: operand.aggregate };
  }

  /** A DateTime compared with a string: the string read as a DateTime, as ClickHouse does. */
  #comparand(expr: Expr, other: Expr, place: Place, inAggregate: boolean): Part {
    if (expr.kind === "string" && this.#isDateTime(other, place)) {
      return { sql: this.#param(parseDateTime(expr.value)), type: "DateTime", aggregate: false };
    }
    return this.expr(expr, place, inAggregate);
  }

  /** Whether an expression is a DateTime, without adding its parameters. */
  #isDateTime(expr: Expr, place: Place): boolean {
    const saved = this.params.length;
    try {
      return this.expr(expr, place).type === "DateTime";
    } catch {
      return false;
    } finally {
      this.params.length = saved;
    }
  }

  #binary(expr: Extract<Expr, { kind: "binary" }>, place: Place, inAggregate: boolean): Part {
    const { op } = expr;
    const left = this.#comparand(expr.left, expr.right, place, inAggregate);
    const datePlusInterval = (op === "+" || op === "-") && expr.right.kind === "interval";
    const right = datePlusInterval
      ? this.#withInterval(expr.right, place)
      : this.#comparand(expr.right, expr.left, place, inAggregate);
    const aggregate = left.aggregate || right.aggregate;
    if (op === "AND" || op === "OR") return { sql: `(${left.sql} ${op} ${right.sql})`, type: "UInt8", aggregate };
    if (["=", "!=", "<", "<=", ">", ">="].includes(op)) {
      if (!comparable(left.type, right.type))
        throw new SqlRefusal(`cannot compare ${left.type} with ${right.type} (${render(expr)})`);
      return { sql: `(${left.sql} ${op} ${right.sql})`, type: "UInt8", aggregate };
    }
    if (right.type === "Interval" && left.type === "DateTime" && (op === "+" || op === "-")) {
      return { sql: `(${left.sql} ${op} ${this.#param(right.seconds ?? 0)})`, type: "DateTime", aggregate };
    }
    if (!isNumeric(left.type) || !isNumeric(right.type)) {
      throw new SqlRefusal(`unsupported: ${left.type} ${op} ${right.type} (${render(expr)})`);
    }
    if (op === "/") return { sql: `(CAST(${left.sql} AS REAL) / ${right.sql})`, type: "Float64", aggregate };
    if (op === "%") {
      if (!isInteger(left.type) || !isInteger(right.type)) throw new SqlRefusal("unsupported: % of a non-integer");
      return { sql: `(CAST(${left.sql} AS INTEGER) % CAST(${right.sql} AS INTEGER))`, type: "Int64", aggregate };
    }
    const type = left.type === "Float64" || right.type === "Float64" ? "Float64" : "Int64";
    return { sql: `(${left.sql} ${op} ${right.sql})`, type, aggregate };
  }

  #in(expr: Extract<Expr, { kind: "in" }>, place: Place, inAggregate: boolean): Part {
    const operand = this.expr(expr.operand, place, inAggregate);
    const items = expr.list.map((item) => {
      const literal =
        item.kind === "number" ||
        item.kind === "string" ||
        (item.kind === "unary" && item.op === "-" && item.operand.kind === "number");
      if (!literal) throw new SqlRefusal(`unsupported: IN with ${render(item)} (IN takes a list of literals)`);
      const part = this.#comparand(item, expr.operand, place, inAggregate);
      if (!comparable(operand.type, part.type))
        throw new SqlRefusal(`cannot compare ${operand.type} with ${part.type} in IN`);
      return part.sql;
    });
    return {
      sql: `(${operand.sql} ${expr.negated ? "NOT IN" : "IN"} (${items.join(", ")}))`,
      type: "UInt8",
      aggregate: operand.aggregate,
    };
  }

  #call(expr: Extract<Expr, { kind: "call" }>, place: Place, inAggregate: boolean): Part {
    const name = expr.name.toLowerCase();
    if (QUANTILES.has(name)) {
      throw new SqlRefusal(
        `${expr.name}() is answered only as a whole column of SELECT (the emulator computes it after SQLite)`,
      );
    }
    if (expr.params !== null) throw new SqlRefusal(`unsupported function: ${expr.name}(...)(...)`);
    if (AGGREGATES.has(name)) return this.#aggregate(expr, name, place, inAggregate);
    if (expr.distinct || expr.star) throw new SqlRefusal(`unsupported: ${render(expr)}`);
    const args = (count: number, max = count) => {
      if (expr.args.length < count || expr.args.length > max) {
        throw new SqlRefusal(`${expr.name}() takes ${count === max ? count : `${count} to ${max}`} arguments`);
      }
      return expr.args;
    };
    if (name === "if") {
      const [condition, then, otherwise] = args(3).map((arg) => this.expr(arg, place, inAggregate)) as [
        Part,
        Part,
        Part,
      ];
      const type = commonType(then.type, otherwise.type, "if()");
      return {
        sql: `(CASE WHEN ${condition.sql} THEN ${then.sql} ELSE ${otherwise.sql} END)`,
        type,
        aggregate: condition.aggregate || then.aggregate || otherwise.aggregate,
      };
    }
    if (name === "now") {
      args(0);
      return { sql: this.#param(this.#now), type: "DateTime", aggregate: false };
    }
    if (name === "todatetime") return this.#toDateTime(args(1, 2), place, inAggregate);
    if (name === "tounixtimestamp") {
      const time = this.#dateTime(args(1)[0] as Expr, place, inAggregate);
      return { ...time, type: "UInt32" };
    }
    if (name === "tostartofinterval") {
      const [timeArg, intervalArg, zone] = args(2, 3) as [Expr, Expr, Expr | undefined];
      this.#utc(zone);
      const time = this.#dateTime(timeArg, place, inAggregate);
      const interval = this.#withInterval(intervalArg, place);
      if (interval.type !== "Interval" || !interval.seconds)
        throw new SqlRefusal("toStartOfInterval() takes an INTERVAL as its second argument");
      return this.#startOf(time, interval.seconds);
    }
    if (Object.hasOwn(START_OF, name)) {
      return this.#startOf(this.#dateTime(args(1)[0] as Expr, place, inAggregate), START_OF[name] as number);
    }
    if (name === "abs" || name === "round") {
      const [value, digits] = args(1, name === "round" ? 2 : 1).map((arg) => this.expr(arg, place, inAggregate)) as [
        Part,
        Part | undefined,
      ];
      if (!isNumeric(value.type) || (digits !== undefined && !isInteger(digits.type)))
        throw new SqlRefusal(`${expr.name}() takes numbers`);
      const sql =
        name === "abs" ? `abs(${value.sql})` : `round(${value.sql}${digits === undefined ? "" : `, ${digits.sql}`})`;
      return { sql, type: name === "abs" ? value.type : "Float64", aggregate: value.aggregate };
    }
    throw new SqlRefusal(`unsupported function: ${expr.name}`);
  }

  #aggregate(expr: Extract<Expr, { kind: "call" }>, name: string, place: Place, inAggregate: boolean): Part {
    if (place === "WHERE" || place === "GROUP BY")
      throw new SqlRefusal(`aggregate function ${expr.name}() in ${place}`);
    if (inAggregate) throw new SqlRefusal(`aggregate function ${expr.name}() inside another aggregate function`);
    const distinct = expr.distinct ? "DISTINCT " : "";
    if (name === "count") {
      if (expr.star || expr.args.length === 0) return { sql: "count(*)", type: "UInt64", aggregate: true };
      if (expr.args.length !== 1) throw new SqlRefusal("count() takes at most 1 argument");
      const arg = this.expr(expr.args[0] as Expr, place, true);
      return { sql: `count(${distinct}${arg.sql})`, type: "UInt64", aggregate: true };
    }
    if (expr.star || expr.args.length !== 1) throw new SqlRefusal(`${expr.name}() takes 1 argument`);
    const arg = this.expr(expr.args[0] as Expr, place, true);
    if (name === "min" || name === "max") {
      if (expr.distinct) throw new SqlRefusal(`unsupported: ${expr.name}(DISTINCT ...)`);
      return { sql: `${name}(${arg.sql})`, type: arg.type, aggregate: true };
    }
    if (!isNumeric(arg.type)) throw new SqlRefusal(`${expr.name}() of a ${arg.type}`);
    if (name === "avg") return { sql: `avg(${distinct}${arg.sql})`, type: "Float64", aggregate: true };
    const type = arg.type === "Float64" ? "Float64" : arg.type === "Int64" ? "Int64" : "UInt64";
    // total() rather than sum(): 0 (not NULL) for no rows, as ClickHouse's sum() gives.
    return { sql: `total(${distinct}${arg.sql})`, type, aggregate: true };
  }

  /** A SELECT column that is a weighted quantile: SQLite gathers each group's pairs, weightedQuantile picks. */
  quantile(expr: Extract<Expr, { kind: "call" }>): Part {
    const older = expr.name.toLowerCase() === "quantileweighted" && expr.params === null;
    const [levelArg, ...args] = older ? expr.args : [...(expr.params ?? []), ...expr.args];
    if (levelArg?.kind !== "number" || levelArg.value < 0 || levelArg.value > 1 || args.length !== 2 || expr.distinct) {
      throw new SqlRefusal(
        `${expr.name} takes a level from 0 to 1, then a value and a weight: quantileExactWeighted(0.5)(double1, _sample_interval)`,
      );
    }
    const [value, weight] = args.map((arg) => this.expr(arg, "SELECT", true)) as [Part, Part];
    if (!isNumeric(value.type) || !isNumeric(weight.type)) throw new SqlRefusal(`${expr.name}() takes numbers`);
    return {
      sql: `json_group_array(json_array(${value.sql}, ${weight.sql}))`,
      type: "Float64",
      aggregate: true,
      post: weightedQuantile(levelArg.value),
    };
  }

  #utc(zone: Expr | undefined): void {
    if (zone === undefined) return;
    if (zone.kind !== "string" || !UTC_NAMES.has(zone.value))
      throw new SqlRefusal("unsupported time zone: the emulator answers in UTC only");
  }

  #toDateTime(args: Expr[], place: Place, inAggregate: boolean): Part {
    const [value, zone] = args as [Expr, Expr | undefined];
    this.#utc(zone);
    if (value.kind === "string")
      return { sql: this.#param(parseDateTime(value.value)), type: "DateTime", aggregate: false };
    const part = this.expr(value, place, inAggregate);
    if (part.type === "DateTime") return part;
    if (!isNumeric(part.type))
      throw new SqlRefusal(`toDateTime() of a ${part.type} (the emulator reads literal strings only)`);
    return { sql: `CAST(${part.sql} AS INTEGER)`, type: "DateTime", aggregate: part.aggregate };
  }

  #dateTime(expr: Expr, place: Place, inAggregate: boolean): Part {
    const part = this.expr(expr, place, inAggregate);
    if (part.type !== "DateTime") throw new SqlRefusal(`expected a DateTime, found ${part.type} (${render(expr)})`);
    return part;
  }

  #startOf(time: Part, seconds: number): Part {
    const divisor = this.#param(seconds);
    const multiplier = this.#param(seconds);
    return {
      sql: `((CAST(${time.sql} AS INTEGER) / CAST(${divisor} AS INTEGER)) * CAST(${multiplier} AS INTEGER))`,
      type: "DateTime",
      aggregate: time.aggregate,
    };
  }
}

/** The SQLite for a SELECT of the subset; `now` (seconds) is what now() is for the whole query. */
export function translate(query: SelectQuery, now: number): Translation {
  const t = new Translator(query, now);
  const items = query.items ?? ALL_COLUMNS.map((name) => ({ expr: { kind: "name", name } as Expr, alias: null }));
  const aliases = new Map(items.flatMap((item) => (item.alias === null ? [] : [[item.alias, item.expr] as const])));

  const select = items.map(({ expr, alias }) => ({
    name: alias ?? render(expr),
    part: expr.kind === "call" && QUANTILES.has(expr.name.toLowerCase()) ? t.quantile(expr) : t.expr(expr, "SELECT"),
  }));
  let sql = `SELECT ${select.map(({ part }) => part.sql).join(", ")}`;
  if (query.from !== null)
    sql += ` FROM points AS p WHERE p.dataset = ${t.expr({ kind: "string", value: query.from }, "WHERE").sql}`;
  if (query.where !== null) {
    if (query.from === null) throw new SqlRefusal("WHERE needs a dataset: the query has no FROM");
    sql += ` AND (${t.expr(query.where, "WHERE").sql})`;
  }
  const grouped = query.groupBy.map((expr) => t.expr(expr, "GROUP BY").sql);
  if (grouped.length > 0) sql += ` GROUP BY ${grouped.join(", ")}`;
  if (query.having !== null) sql += ` HAVING ${t.expr(query.having, "HAVING").sql}`;
  const ordered = query.orderBy.map(
    ({ expr, descending }) => `${t.expr(expr, "ORDER BY").sql}${descending ? " DESC" : ""}`,
  );
  if (ordered.length > 0) sql += ` ORDER BY ${ordered.join(", ")}`;

  const aggregating = grouped.length > 0 || query.having !== null || select.some(({ part }) => part.aggregate);
  if (aggregating) checkGrouped(query, items, aliases);
  return {
    sql,
    params: t.params,
    columns: select.map(({ name, part }) => ({ name, type: part.type, ...(part.post ? { post: part.post } : {}) })),
    limit: query.limit,
    offset: query.offset,
  };
}

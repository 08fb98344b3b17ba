/** A parsed query of the subset the emulator answers (see the emulator's README, "Analytics Engine SQL"). */

export type Expr =
  | { kind: "number"; value: number; text: string }
  | { kind: "string"; value: string }
  | { kind: "name"; name: string }
  | { kind: "interval"; count: number; unit: IntervalUnit }
  | {
      kind: "call";
      name: string;
      args: Expr[];
      distinct: boolean;
      star: boolean;
      /** A parametric aggregate's parameters: `quantileExactWeighted(0.5)(x, w)` has [0.5]. */
      params: Expr[] | null;
    }
  | { kind: "unary"; op: "-" | "NOT"; operand: Expr }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "in"; operand: Expr; list: Expr[]; negated: boolean };

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "AND" | "OR";

export const INTERVAL_SECONDS = { SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86_400 } as const;
export type IntervalUnit = keyof typeof INTERVAL_SECONDS;

export interface SelectItem {
  expr: Expr;
  alias: string | null;
}

export type OutputFormat = "JSON" | "JSONEachRow";

export interface SelectQuery {
  kind: "select";
  /** null: `SELECT *`. */
  items: SelectItem[] | null;
  /** null: no FROM (`SELECT 1`). */
  from: string | null;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  orderBy: { expr: Expr; descending: boolean }[];
  limit: number | null;
  offset: number;
  format: OutputFormat;
}

export interface ShowTablesQuery {
  kind: "show-tables";
  format: OutputFormat;
}

export type Query = SelectQuery | ShowTablesQuery;

/** An expression written back as text: the name of an unaliased column, and how expressions are compared (GROUP BY). */
export function render(expr: Expr): string {
  switch (expr.kind) {
    case "number":
      return expr.text;
    case "string":
      return `'${expr.value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    case "name":
      return expr.name;
    case "interval":
      return `INTERVAL ${expr.count} ${expr.unit}`;
    case "call": {
      const args = expr.star ? "*" : expr.args.map(render).join(", ");
      const params = expr.params === null ? "" : `(${expr.params.map(render).join(", ")})`;
      return `${expr.name}${params}(${expr.distinct ? "DISTINCT " : ""}${args})`;
    }
    case "unary":
      return expr.op === "-" ? `-${render(expr.operand)}` : `NOT ${render(expr.operand)}`;
    case "binary":
      return `(${render(expr.left)} ${expr.op} ${render(expr.right)})`;
    case "in":
      return `(${render(expr.operand)} ${expr.negated ? "NOT IN" : "IN"} (${expr.list.map(render).join(", ")}))`;
  }
}

import { isAggregate } from "./aggregates";
import { type Expr, render, type SelectItem, type SelectQuery } from "./ast";
import { column } from "./columns";
import { SqlRefusal } from "./refusal";

/** The expression's first column outside an aggregate function and outside GROUP BY, or null. */
function ungrouped(expr: Expr, keys: Set<string>, aliases: Map<string, Expr>, seen = new Set<string>()): string | null {
  if (keys.has(render(expr))) return null;
  switch (expr.kind) {
    case "name": {
      const aliased = aliases.get(expr.name);
      if (column(expr.name) !== null || aliased === undefined || seen.has(expr.name)) return expr.name;
      return ungrouped(aliased, keys, aliases, new Set([...seen, expr.name]));
    }
    case "call":
      if (isAggregate(expr.name)) return null;
      return expr.args.map((arg) => ungrouped(arg, keys, aliases, seen)).find((found) => found !== null) ?? null;
    case "unary":
      return ungrouped(expr.operand, keys, aliases, seen);
    case "binary":
      return ungrouped(expr.left, keys, aliases, seen) ?? ungrouped(expr.right, keys, aliases, seen);
    case "in":
      return ungrouped(expr.operand, keys, aliases, seen);
    default:
      return null;
  }
}

/**
 * An aggregating query's columns (SELECT, HAVING, ORDER BY) must each be under
 * an aggregate function or in GROUP BY, as ClickHouse requires (SQLite would
 * answer an arbitrary row's value instead). A GROUP BY of an alias stands for
 * the alias's expression too.
 */
export function checkGrouped(query: SelectQuery, items: SelectItem[], aliases: Map<string, Expr>): void {
  const keys = new Set(
    query.groupBy.flatMap((expr) => {
      const aliased = expr.kind === "name" ? aliases.get(expr.name) : undefined;
      return aliased === undefined ? [render(expr)] : [render(expr), render(aliased)];
    }),
  );
  const checked = [
    ...items.map((item) => item.expr),
    ...(query.having === null ? [] : [query.having]),
    ...query.orderBy.map((o) => o.expr),
  ];
  for (const expr of checked) {
    const name = ungrouped(expr, keys, aliases);
    if (name !== null) throw new SqlRefusal(`column ${name} is neither in GROUP BY nor under an aggregate function`);
  }
}

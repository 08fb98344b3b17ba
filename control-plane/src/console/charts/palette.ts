/**
 * The charts' colours: each has at least 3:1 contrast on white (WCAG's for graphics; most over
 * 4.5:1), and no chart tells series apart by colour alone: the legend names them, lines differ
 * by dash, bars stack in the legend's order, and every chart has its data table.
 */
export const CHART_COLOURS = {
  blue: "#1d4ed8",
  red: "#b91c1c",
  green: "#15803d",
  amber: "#b45309",
  purple: "#7e22ce",
  grey: "#52525b",
} as const;

/** Dash patterns for the second and third line of a chart. */
export const DASHES = { dashed: "6 4", dotted: "2 3" } as const;

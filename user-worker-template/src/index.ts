import { Hono } from "hono";

/** Bindings every tenant Worker built from this template gets. */
type Env = {
  /** plain_text binding: what the tenant greets its visitors with. */
  GREETING: string;
};

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) => c.text(c.env.GREETING));

export default app;

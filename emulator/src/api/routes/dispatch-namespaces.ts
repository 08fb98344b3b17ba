import { Hono } from "hono";
import type { ApiEnv } from "../types";

export const dispatchNamespaces = new Hono<ApiEnv>();

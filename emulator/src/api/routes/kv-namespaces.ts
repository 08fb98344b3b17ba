import { Hono } from "hono";
import type { ApiEnv } from "../types";

export const kvNamespaces = new Hono<ApiEnv>();

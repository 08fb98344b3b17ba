import { Hono } from "hono";
import type { ApiEnv } from "../types";

export const r2Buckets = new Hono<ApiEnv>();

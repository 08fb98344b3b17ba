import { Hono } from "hono";
import type { ApiEnv } from "../types";

export const accountSupport = new Hono<ApiEnv>();

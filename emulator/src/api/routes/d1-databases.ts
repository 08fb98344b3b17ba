import { Hono } from "hono";
import type { ApiEnv } from "../types";

export const d1Databases = new Hono<ApiEnv>();

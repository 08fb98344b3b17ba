import type { Hono } from "hono";
import type { ConsoleEnv } from "../types";
import { rolloutPages } from "./rollouts";
import { tenantPages } from "./tenant";
import { tenantForms } from "./tenant-forms";
import { tenantTrafficPage } from "./tenant-traffic";
import { tenantsList } from "./tenants";

/** Every signed-in page of the console, each concern its own routes (mounted at /console by ../app.tsx). */
export const consolePages: readonly Hono<ConsoleEnv>[] = [
  tenantsList,
  tenantForms,
  tenantPages,
  tenantTrafficPage,
  rolloutPages,
];

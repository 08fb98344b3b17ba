import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class D1DatabaseObject extends DurableObject<Env> {}

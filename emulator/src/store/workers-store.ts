import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class WorkersStore extends DurableObject<Env> {}

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class ResourcesStore extends DurableObject<Env> {}

import { app } from "./app";

export { D1DatabaseObject } from "./store/d1-database";
export { Gate } from "./store/gate";
export { ResourcesStore } from "./store/resources-store";
export { WorkersStore } from "./store/workers-store";

export default app;

import { settingsParser } from "../../../platform/settings";
import { LoadedWorkerVars } from "../config";

/** A runner's configuration from its vars: the emulator's bound on loaded workers, with the same defaults. */
export const runnerConfig = settingsParser("tenant runner", LoadedWorkerVars);

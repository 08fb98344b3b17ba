import type { ControlPlane, EmulatorAdmin } from "../onboarding/client.ts";
import type { PlatformStack } from "../onboarding/stack.ts";

/** What the scaling bench talks to: the control plane's API, the emulator's admin API, the dispatcher, the stores' files. */
export type Clients = { controlPlane: ControlPlane; emulator: EmulatorAdmin; stack: PlatformStack };

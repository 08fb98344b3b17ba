import type { BindingKind } from "./kind";

/** Values the loaded worker receives as they are: they need no emulation. */
export const plainTextBinding: BindingKind = { type: "plain_text", toEnv: (b) => b.text };
export const secretTextBinding: BindingKind = { type: "secret_text", toEnv: (b) => b.text };
export const jsonBinding: BindingKind = { type: "json", toEnv: (b) => b.json };

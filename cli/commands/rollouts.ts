import { api } from "../api.ts";
import type { Command } from "../command.ts";
import { followRollout } from "../follow-rollout.ts";
import { formatRollout } from "../rollout-format.ts";

const DETACH_OPTION = { detach: { type: "boolean" } } as const;

const get: Command = {
  name: "rollouts get",
  args: ["<id>"],
  options: {},
  help: "  Shows a rollout: its progress, canary, pause, error-rate verdict and rollback.",
  async run(context, _values, [id]) {
    const rollout = await api.getRollout(context.connection, id as string);
    context.out.result(rollout, () => formatRollout(rollout));
  },
};

const resume: Command = {
  name: "rollouts resume",
  args: ["<id>"],
  options: DETACH_OPTION,
  help: `  Goes on past a paused rollout's canary, deploying the rest, and follows it to its end.
  --detach                 resume and print the rollout, without following it`,
  async run(context, values, [id]) {
    const resumed = await api.resumeRollout(context.connection, id as string);
    if (values.detach === true) context.out.result(resumed, () => formatRollout(resumed));
    else await followRollout(context, resumed);
  },
};

const rollback: Command = {
  name: "rollouts rollback",
  args: ["<id>"],
  options: DETACH_OPTION,
  help: `  Returns every tenant the rollout upgraded to its previous version (tenants it never reached
  keep their code), and follows it until done; exit 4 if a tenant's rollback failed.
  --detach                 start the rollback and print the rollout, without following it`,
  async run(context, values, [id]) {
    const rollingBack = await api.rollBackRollout(context.connection, id as string);
    if (values.detach === true) context.out.result(rollingBack, () => formatRollout(rollingBack));
    else await followRollout(context, rollingBack);
  },
};

export const rolloutCommands: readonly Command[] = [get, resume, rollback];

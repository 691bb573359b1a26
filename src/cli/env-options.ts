/**
 * Options that also read an environment variable, whatever command declares them:
 *
 *   RNNKIT_TIME_LIMIT=s   default for --time-limit (seconds) of every training command: a quick
 *                         smoke run of commands written for full training (CI, README checks)
 *
 * An option given on the command line wins; `--help` names the variable. Attached by option name
 * after the commands are registered, so a command gets it just by declaring the option.
 * (Commander's `Option.env` cannot be used here: it only takes effect when set before the option
 * is added to its command.)
 */
import { type Command, InvalidArgumentError } from "commander";

const ENV_OPTIONS: Readonly<Record<string, string>> = { "--time-limit": "RNNKIT_TIME_LIMIT" };

export function bindEnvOptions(program: Command): void {
  for (const cmd of program.commands) for (const opt of cmd.options) if (opt.long && ENV_OPTIONS[opt.long]) opt.env(ENV_OPTIONS[opt.long]!); // for --help
  program.hook("preAction", (_program, cmd) => {
    for (const opt of cmd.options) {
      const env = opt.long ? ENV_OPTIONS[opt.long] : undefined;
      const raw = env ? process.env[env] : undefined;
      if (!env || raw === undefined || raw === "") continue;
      const key = opt.attributeName();
      if (cmd.getOptionValueSource(key) === "cli") continue;
      let value: unknown = raw;
      try {
        if (opt.parseArg) value = opt.parseArg(raw, undefined);
      } catch (e) {
        if (!(e instanceof InvalidArgumentError)) throw e;
        cmd.error(`error: ${env}=${raw} (the default of ${opt.long}) is invalid: ${e.message}`, { exitCode: 1, code: "rnnkit.invalidEnv" });
      }
      cmd.setOptionValueWithSource(key, value, "env");
    }
  });
}

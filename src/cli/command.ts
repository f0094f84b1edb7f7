/** One `crit <name>` subcommand. Each lives in its own file under cli/commands/ and is listed in commands/index.ts. */
export interface CliCommand {
  name: string;
  /** One line for `crit --help`. */
  summary: string;
  /** Full usage text for `crit <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** An error whose message is meant for the user as it is (bad flag, missing file, bad column): no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

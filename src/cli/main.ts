// The `crit` command: dispatches to cli/commands/*. Errors meant for the user print without a stack.
import '../gpu/provider-node.js';
import { commands } from './commands/index.js';
import { UsageError } from './command.js';

function help(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return ['usage: crit <command> [options]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`), '', 'crit <command> --help shows the options of one command.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { console.log(help()); return name ? 0 : 1; }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) { console.error(`crit: unknown command '${name}'\n\n${help()}`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { console.log(cmd.usage); return 0; }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    if (err instanceof UsageError || err?.name === 'UsageError' || err?.name === 'CritError') console.error(`crit: ${err.message}`);
    // util.parseArgs errors (unknown or malformed options) are the user's too: no stack trace.
    else if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) console.error(`crit: ${err.message}\n(see crit ${process.argv[2] ?? ''} --help)`);
    else console.error(err);
    process.exitCode = 2;
  },
);

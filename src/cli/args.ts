// Argument parsing shared by the CLI commands (src/cli/commands.ts): every command takes -h/--help
// and prints its usage when asked or when a required argument is missing.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type CommandArgs<O extends ParseArgsOptionsConfig, P extends boolean> =
  ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: P }>>;

/**
 * A command's argv through parseArgs (strict) with -h/--help added. On --help, or when `complete`
 * says a required argument is missing, `usage` goes to stdout and the exit code (0 for help, 2
 * otherwise) comes back instead of the parsed arguments.
 */
export function commandArgs<const O extends ParseArgsOptionsConfig, const P extends boolean = false>(
  argv: string[], config: { options: O; allowPositionals?: P }, usage: string,
  complete: (args: CommandArgs<O, P>) => unknown = () => true,
): CommandArgs<O, P> | number {
  const args = parseArgs({ args: argv, allowPositionals: config.allowPositionals ?? false, options: { ...config.options, ...HELP } }) as CommandArgs<O, P>;
  const help = (args.values as { help?: boolean }).help === true;
  if (help || !complete(args)) {
    process.stdout.write(usage);
    return help ? 0 : 2;
  }
  return args;
}

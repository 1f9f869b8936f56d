// Operator commands: `npx reelm <command>`. Each command lives in its own module.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {};

export async function runCli(command: string, args: string[]): Promise<number> {
  const load = commands[command];
  if (!load) {
    console.error(`reelm: unknown command "${command}". Commands: serve${Object.keys(commands).map((c) => `, ${c}`).join('')}`);
    return 2;
  }
  return (await load()).run(args);
}

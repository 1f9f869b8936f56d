// Operator commands: `npx reelm <command>`. Each command lives in its own module.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  audit: () => import('../audit/audit-command.ts'),
  'audit-log': () => import('../audit/audit-log-command.ts'),
  doctor: () => import('../ops/doctor-command.ts'),
  'edge-secret': () => import('../media-serving/edge-secret-command.ts'),
  import: () => import('../rights/import-command.ts'),
  'migrate-store': () => import('../ops/migrate-store-command.ts'),
  move: () => import('../moves/move-command.ts'),
  realm: () => import('../moves/realm-command.ts'),
  seed: () => import('../feed/seed/command.ts'),
  staff: () => import('../staff/staff-command.ts'),
  worker: () => import('./worker-command.ts'),
};

export async function runCli(command: string, args: string[]): Promise<number> {
  const load = commands[command];
  if (!load) {
    console.error(
      `reelm: unknown command "${command}". Commands: serve, api${Object.keys(commands)
        .map((c) => `, ${c}`)
        .join('')}`,
    );
    return 2;
  }
  return (await load()).run(args);
}

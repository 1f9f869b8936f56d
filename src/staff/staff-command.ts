import { parseArgs } from 'node:util';
import { loadConfig, openReelm } from '../composition.ts';
import { AppError } from '../api/errors.ts';
import { addStaff, STAFF_ROLES } from './staff.ts';
import type { StaffRole } from './schema.ts';

// `reelm staff add --operator <id> --role <support|moderator|administrator> --name <name>`
// prints the staff token once; only its hash is stored, in each of the operator's realms.

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const usage = `usage: reelm staff add --operator <operator> --role <${STAFF_ROLES.join('|')}> --name <name>`;
  if (sub !== 'add') {
    console.error(usage);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { operator: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } } });
  if (!values.operator || !values.role || !values.name) {
    console.error(usage);
    return 2;
  }
  const reelm = await openReelm({ ...loadConfig(), workers: false });
  try {
    const { staff, token, realms } = await addStaff(reelm, { operator: values.operator, role: values.role as StaffRole, name: values.name });
    console.log(JSON.stringify({ id: staff.id, operator: staff.operator, role: staff.role, realms, token }));
    console.error('Keep the token safe: it is shown once and only its hash is stored.');
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      console.error(`reelm: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await reelm.close();
  }
}

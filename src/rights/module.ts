import type { ReelmModule } from '../modules/module.ts';

// The person's rights over their data (docs/RIGHTS.md): the enumeration of
// everything a realm holds of them (person-data.ts), shared with moves.
export const rightsModule: ReelmModule = {
  name: 'rights',
};

import type { FlowTables } from '../flows/schema.ts';
import type { JobTables } from '../jobs/schema.ts';
import type { LifecycleTables } from './lifecycle.ts';
import type { PersonHoldTables } from './person-hold.ts';
import type { SystemTables } from './system-schema.ts';

// The row types of a realm database. The machinery's own tables are listed
// here; each part adds its tables from its module file by augmenting this
// interface (`declare module '../realm/registry.ts' { interface RealmDatabase
// extends MyTables {} }`), so the machinery never imports a part. The table
// specs and migrations themselves come from the modules, assembled by the
// composition root (src/composition.ts) into a RealmSchema.

export interface RealmDatabase extends SystemTables, LifecycleTables, PersonHoldTables, JobTables, FlowTables {}

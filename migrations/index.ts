import type { Migration } from '@mikro-orm/migrations';
import { Migration20261124033828 } from './Migration20261124033828.js';
import { Migration20261124035255 } from './Migration20261124035255.js';
import { Migration20261124041630 } from './Migration20261124041630.js';
import { Migration20261201231527 } from './Migration20261201231527.js';
import { Migration20261201231608 } from './Migration20261201231608.js';
import { Migration20261201233016 } from './Migration20261201233016.js';
import { Migration20261201235302 } from './Migration20261201235302.js';
import { Migration20261202021038 } from './Migration20261202021038.js';
import { Migration20261202021238 } from './Migration20261202021238.js';
import { Migration20261202021325 } from './Migration20261202021325.js';
import { Migration20261202021454 } from './Migration20261202021454.js';
import { Migration20261202021815 } from './Migration20261202021815.js';
import { Migration20261202023001 } from './Migration20261202023001.js';

/**
 * Every migration, in order. MikroORM runs this list instead of scanning the folder, so the app, the tests and
 * the compiled build all see the same migrations. `npm run migration:create` writes a new file: add it here.
 */
export const MIGRATIONS: Array<{ name: string; class: new (...args: any[]) => Migration }> = [
  { name: 'Migration20261124033828', class: Migration20261124033828 },
  { name: 'Migration20261124035255', class: Migration20261124035255 },
  { name: 'Migration20261124041630', class: Migration20261124041630 },
  { name: 'Migration20261201231527', class: Migration20261201231527 },
  { name: 'Migration20261201231608', class: Migration20261201231608 },
  { name: 'Migration20261201233016', class: Migration20261201233016 },
  { name: 'Migration20261201235302', class: Migration20261201235302 },
  { name: 'Migration20261202021038', class: Migration20261202021038 },
  { name: 'Migration20261202021238', class: Migration20261202021238 },
  { name: 'Migration20261202021325', class: Migration20261202021325 },
  { name: 'Migration20261202021454', class: Migration20261202021454 },
  { name: 'Migration20261202021815', class: Migration20261202021815 },
  { name: 'Migration20261202023001', class: Migration20261202023001 },
];

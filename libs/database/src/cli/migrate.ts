import { join } from 'node:path';
import { createDataSource } from '../data-source.js';
import { EmbeddedPostgres } from '../embedded/embedded-postgres.js';

/**
 * `npm run migration:run | migration:show | migration:revert`: against DATABASE_URL, or, when it is unset,
 * the embedded database in LEDGER_DATA_DIR (the same migrations serve both).
 */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'show' && command !== 'revert') {
    throw new Error('usage: migrate run | show | revert');
  }
  const embedded = process.env.DATABASE_URL
    ? null
    : await EmbeddedPostgres.start({ dataDir: join(process.env.LEDGER_DATA_DIR ?? './data', 'pgdata') });
  const dataSource = await createDataSource(process.env.DATABASE_URL ?? embedded!.url).initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'nothing to apply');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'migrations are pending' : 'every migration is applied');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

try {
  await main(process.argv[2]);
} catch (error) {
  console.error(`migrate: ${(error as Error).message}`);
  process.exit(1);
}

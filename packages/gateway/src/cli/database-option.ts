import { DEFAULT_DATABASE_URL, openDatabase, type Database } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

export function databaseUrlFrom(flag: string | undefined): string {
  return flag ?? process.env.OVO_DB ?? DEFAULT_DATABASE_URL;
}

/** Opens (creating and migrating when needed) the database a command names, runs `work`, and closes it. */
export async function withDatabase<T>(flag: string | undefined, work: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(databaseUrlFrom(flag), { poolSize: 2 });
  try {
    await migrateToLatest(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

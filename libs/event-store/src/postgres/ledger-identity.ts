interface Queryable {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}

/**
 * The ledger's identity (bound into the genesis hash), made by whoever asks first. The singleton key makes
 * concurrent first asks agree on one row; the loser's statement snapshot predates the winner's commit, so
 * it reads the row in a second statement.
 */
export async function ledgerIdentity(db: Queryable): Promise<string> {
  const created = await db.query<{ ledger_id: string }>(`
    WITH created AS (INSERT INTO ledger_meta DEFAULT VALUES ON CONFLICT DO NOTHING RETURNING ledger_id)
    SELECT ledger_id FROM created UNION ALL SELECT ledger_id FROM ledger_meta LIMIT 1`);
  if (created.rows[0]) return created.rows[0].ledger_id;
  const existing = await db.query<{ ledger_id: string }>('SELECT ledger_id FROM ledger_meta');
  return existing.rows[0]!.ledger_id;
}

import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { Sequencer } from '@ledger/event-store';
import { bootApp, TEST_KEYS } from '../support/app.js';

describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  it('finishes a command in flight with its real answer, then refuses new connections', async () => {
    const app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const sequencer = app.get(Sequencer);
    // Hold stamping back so the command is still waiting for its ledger position when shutdown begins.
    await sequencer.stop();
    const inFlight = fetch(`${url}/v1/firms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_KEYS.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ firmId: 'tencent', name: 'Tencent', jurisdiction: 'CN' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = app.close();
    sequencer.start();

    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ position: 1, events: [{ type: 'FirmRegistered' }] });
    await closing;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(sequencer.status().state).toBe('stopped');
  });
});

import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to port 3000 and the embedded database in ./data', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      database: { dataDir: './data' },
      apiKeys: null,
      commandsPerMinute: 6_000,
      audit: { checkpointIntervalMs: 60_000, fullVerifyIntervalMs: 3_600_000, signingKey: null },
    });
  });

  it('reads a server, a data directory, a port and API keys', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/ledger',
      LEDGER_DATA_DIR: '/var/lib/ledger',
      LEDGER_API_KEYS: 'ops:admin:0123456789abcdef,feed:service:fedcba9876543210',
      LEDGER_RATE_LIMIT: '120',
      LEDGER_CHECKPOINT_INTERVAL_MS: '0',
      LEDGER_CHECKPOINT_FULL_VERIFY_MS: '600000',
      LEDGER_SIGNING_KEY: '/run/secrets/ledger-signing-key.pem',
    });
    expect(config).toEqual({
      port: 8080,
      database: { url: 'postgres://u:p@db:5432/ledger', dataDir: '/var/lib/ledger' },
      apiKeys: [
        { name: 'ops', role: 'admin', secret: '0123456789abcdef' },
        { name: 'feed', role: 'service', secret: 'fedcba9876543210' },
      ],
      commandsPerMinute: 120,
      audit: {
        checkpointIntervalMs: 0,
        fullVerifyIntervalMs: 600_000,
        signingKey: '/run/secrets/ledger-signing-key.pem',
      },
    });
  });

  it('lists every bad variable at once and never repeats a secret', () => {
    const error = (() => {
      try {
        loadConfig({
          PORT: 'eighty',
          DATABASE_URL: 'mysql://db/ledger',
          LEDGER_API_KEYS: 'ops:root:supersecretvalue123,short:admin:tiny,broken',
          LEDGER_RATE_LIMIT: '-1',
        });
      } catch (e) {
        return e;
      }
      return null;
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      'PORT must be an integer from 0 to 65535, got "eighty"',
      'DATABASE_URL must be a postgres:// URL, got the scheme "mysql:"',
      'LEDGER_API_KEYS entry 1 ("ops") has role "root"; the roles are admin, service, auditor',
      'LEDGER_API_KEYS entry 2 ("short") has a secret shorter than 16 characters',
      'LEDGER_API_KEYS entry 3 ("broken") must be name:role:secret',
      'LEDGER_RATE_LIMIT must be a whole number of commands per minute (0: no limit), got "-1"',
    ]);
    expect(error.message).not.toContain('supersecretvalue123');
    expect(error.message).not.toContain('tiny');
  });

  it('refuses checkpoint intervals that are not whole milliseconds', () => {
    expect(() =>
      loadConfig({ LEDGER_CHECKPOINT_INTERVAL_MS: '1m', LEDGER_CHECKPOINT_FULL_VERIFY_MS: '-5' }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'LEDGER_CHECKPOINT_INTERVAL_MS must be a whole number of milliseconds, got "1m"',
          'LEDGER_CHECKPOINT_FULL_VERIFY_MS must be a whole number of milliseconds, got "-5"',
        ],
      }),
    );
  });
});

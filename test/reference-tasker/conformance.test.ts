import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, createConformanceContext, type ConformanceContext } from '../../conformance/checks.js';
import { startReferenceTasker, type ReferenceTasker } from '../../reference-tasker/index.js';
import { createTestDatabase, taskerStorage, type TestDatabase } from '../support/database.js';

const SECRET = 'conformance-test-secret-0123456789abcdef';
// A rotation in progress, so that the key id checks run too: Tasker holds the old key beside the new.
const PREVIOUS = { id: 'conformance-old', secret: 'conformance-old-secret-0123456789abcdef' };

describe('the reference Tasker conforms to the adapter contract', () => {
  let database: TestDatabase;
  let tasker: ReferenceTasker;
  let ctx: ConformanceContext;

  beforeAll(async () => {
    // In-memory PGlite, or a fresh PostgreSQL database when vitest runs the postgres project.
    database = await createTestDatabase();
    tasker = await startReferenceTasker({
      signingSecret: SECRET,
      signingKeyId: 'conformance-new',
      previousSigningKey: PREVIOUS,
      port: 0,
      ...taskerStorage(database),
    });
    ctx = createConformanceContext({
      taskerUrl: tasker.url,
      secret: SECRET,
      keyId: 'conformance-new',
      previousKey: PREVIOUS,
      ownerUserId: 'local-user',
      agentId: 'conformance-agent',
      project: 'DEMO',
      outsiderProject: 'PRIV',
      outsiderMemberUserId: 'outsider-user',
      secondProject: 'OPS',
      guestUserId: 'outsider-user',
    });
  });

  afterAll(async () => {
    await tasker?.close();
    await database?.drop();
  });

  for (const check of checks) {
    // Every check runs here: the options above give each what it needs.
    it(check.name, () => {
      expect(check.skipReason?.(ctx.options)).toBeUndefined();
      return check.run(ctx);
    });
  }
});

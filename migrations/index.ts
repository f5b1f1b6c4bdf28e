import type { Migration } from 'kysely';
import * as initial from './0001_initial.js';
import * as rateLimits from './0002_rate_limits.js';
import * as oauth from './0003_oauth.js';
import * as auditIndexes from './0004_audit_indexes.js';
import * as toolsetScopes from './0005_toolset_scopes.js';
import * as auditCorrelationId from './0008_audit_correlation_id.js';
import * as auditOutcomeUnknown from './0008_audit_outcome_unknown.js';
import * as idempotencyKeyHashes from './0008_idempotency_key_hashes.js';
import * as auditRepeats from './0009_audit_repeats.js';

/**
 * Ordered list of migrations. Listed statically (not read from the folder) so the same list runs
 * under tsx, vitest and a compiled build. Never edit a migration once it has landed; add one.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_rate_limits': rateLimits,
  '0003_oauth': oauth,
  '0004_audit_indexes': auditIndexes,
  '0005_toolset_scopes': toolsetScopes,
  '0008_idempotency_key_hashes': idempotencyKeyHashes,
  '0008_audit_outcome_unknown': auditOutcomeUnknown,
  '0008_audit_correlation_id': auditCorrelationId,
  '0009_audit_repeats': auditRepeats,
};

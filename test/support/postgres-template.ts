import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database with the gateway's migrations applied, to copy (see below); postgres project only. */
    postgresTemplate?: string;
  }
}

export const adminUrl = (): string => process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `statement` on the server's maintenance database (create and drop database). */
export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * vitest globalSetup of the postgres project: one database with the gateway's migrations applied,
 * made anew for every run (so always of this checkout) and dropped at its end. A gateway suite's
 * fresh database is a copy of it (`CREATE DATABASE … TEMPLATE`) instead of an empty database
 * migrated statement by statement for every test file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `gateway_template_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  // Nobody may stay connected to a template while it is copied: the pool is closed before use.
  const db = await openDatabase({ kind: 'postgres', url: databaseUrl(name) });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('postgresTemplate', name);
  return () => admin(`drop database if exists ${name} with (force)`);
}

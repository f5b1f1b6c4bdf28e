import { lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { pothosSchema } from '../../src/schema/index.js';

/** What GraphQL clients see is a contract: any change to it shows up in docs/schema.graphql. */
it('matches the committed schema in docs/schema.graphql', async () => {
  await expect(`${printSchema(lexicographicSortSchema(pothosSchema))}\n`).toMatchFileSnapshot('../../docs/schema.graphql');
});
